import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets, type DocSnippet } from './snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);
const texts = new Map(docs.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const snippets = docs.flatMap((f) => extractSnippets(texts.get(f)!, f));

/** Blocks of a made-up document, checked in the same Program as the docs' blocks. */
const fixture = extractSnippets(
  [
    '```ts', // line 1
    "import { createRng } from './infra/random.js';",
    'const n: string = createRng(1).int(6);',
    '```',
    '<!-- snippet: fragment', // line 5
    "import type { Clock } from './infra/time/clock.js';",
    'declare const clock: Clock;',
    '-->',
    '```ts',
    'const ms: number = clock.now();', // line 10
    '```',
    '<!-- snippet: fragment in test/regtest -->',
    '```ts',
    "import { useRegtest } from './support/regtest.js';",
    'useRegtest().net.nodes[0].name;', // line 15
    '```',
  ].join('\n'),
  'fixture.md',
);

let problems: string[] = [];
beforeAll(() => {
  problems = checkSnippets(root, [...snippets, ...fixture]);
}, 60_000);

describe('extracting TypeScript blocks from markdown', () => {
  it('reads each block with its first code line, fragment declarations and directory', () => {
    expect(fixture.map((s: DocSnippet) => ({ ...s, code: s.code.split('\n').length }))).toEqual([
      { file: 'fixture.md', line: 2, code: 2, prelude: '', dir: '' },
      {
        file: 'fixture.md',
        line: 10,
        code: 1,
        prelude: "import type { Clock } from './infra/time/clock.js';\ndeclare const clock: Clock;",
        dir: '',
      },
      { file: 'fixture.md', line: 14, code: 2, prelude: '', dir: 'test/regtest' },
    ]);
  });

  it('refuses a comment above a block that is not a snippet marker, naming its line', () => {
    expect(() => extractSnippets('<!-- prettier-ignore -->\n```ts\nlet a = 1;\n```', 'x.md')).toThrow(
      'x.md:1: a comment right above a ```ts block must be <!-- snippet: fragment …',
    );
  });

  it('finds as many blocks as the docs open ```ts fences', () => {
    const fences = [...texts.values()].map((t) =>
      t.split('\n').filter((l) => /^```(ts|typescript)\s*$/.test(l)),
    );
    expect(snippets.length).toBe(fences.flat().length);
  });
});

describe('type-checking the blocks as modules at the repository root', () => {
  it('reports a type error at its line of the document, and resolves fragments and directories', () => {
    expect(problems.filter((p) => p.startsWith('fixture.md'))).toEqual([
      "fixture.md:3: Type 'number' is not assignable to type 'string'.",
      "fixture.md:15: Object is possibly 'undefined'.",
    ]);
  });

  it('type-checks every ```ts block of README.md and docs/*.md under the project tsconfig', () => {
    expect(problems.filter((p) => !p.startsWith('fixture.md'))).toEqual([]);
  });
});
