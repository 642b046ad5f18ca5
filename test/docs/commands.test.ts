import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCommand, extractCommands, words, type Project } from './commands.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const project: Project = { root, scripts: pkg.scripts };
const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);
const commands = docs.flatMap((f) => extractCommands(readFileSync(join(root, f), 'utf8'), f));

describe('extracting commands from markdown', () => {
  it('finds commands in shell blocks and in inline code wrapped over two lines, without comments', () => {
    const md = [
      'Run `npm run sim',
      '-- run quickstart` first.',
      '```sh',
      'npm ci && npm start            # the quickstart',
      'FOO=1 npx vitest run test/l402',
      '```',
    ].join('\n');
    expect(extractCommands(md, 'x.md')).toEqual([
      { file: 'x.md', line: 1, text: 'npm run sim -- run quickstart' },
      { file: 'x.md', line: 4, text: 'npm start' },
      { file: 'x.md', line: 5, text: 'npx vitest run test/l402' },
    ]);
  });

  it('drops <placeholders>, brackets and ellipses and keeps quoted words whole', () => {
    expect(words(`npm run sim -- run <scenario|file.yaml> [--set KEY=VALUE …] --grid 'a=1, 2'`)).toEqual([
      'npm',
      'run',
      'sim',
      '--',
      'run',
      '--set',
      'KEY=VALUE',
      '--grid',
      'a=1, 2',
    ]);
  });
});

describe('checking a command against the project', () => {
  it('names a missing script, an unknown subcommand, an unknown flag and a misspelt scenario', () => {
    expect(checkCommand('npm run nope', project)).toEqual(['package.json has no script "nope"']);
    expect(checkCommand('npm run sim -- fly quickstart', project)).toEqual([
      'sim/cli.ts: "fly" is not a command its --help lists',
    ]);
    expect(checkCommand('npm run sim -- run quickstart --speed 2', project)).toEqual([
      'sim/cli.ts run: --help does not list --speed',
    ]);
    expect(checkCommand('npm run sim -- run quickstrat', project)).toEqual([
      'sim/cli.ts run: --help does not mention "quickstrat"',
    ]);
    expect(checkCommand('npx vitest run test/nowhere', project)).toEqual([
      'npx vitest run test/nowhere: no test file matches',
    ]);
  }, 300_000);
});

describe('every command in README.md and docs/ runs as written', () => {
  it('the README keeps every npm command CI runs', () => {
    const ci = readFileSync(join(root, '.ci/run'), 'utf8')
      .split('\n')
      .filter((l) => /^npm (test|run )/.test(l.trim()))
      .map((l) => l.trim());
    const readme = new Set(commands.filter((c) => c.file === 'README.md').map((c) => c.text));
    expect(ci).toContain('npm test');
    expect(ci.filter((c) => !readme.has(c))).toEqual([]);
  });

  it.each(commands.map((c) => [`${c.file}:${c.line}`, c.text] as const))(
    '%s: `%s` is accepted by package.json and the CLI --help',
    (_where, text) => {
      expect(checkCommand(text, project)).toEqual([]);
    },
    300_000,
  );
});
