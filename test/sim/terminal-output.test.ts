/**
 * What the simulator prints on the terminal repeats text from a scenario file
 * or a summary.json (a text seed, group and seller names, warnings, a key the
 * schema refuses). An escape sequence in that text would clear the screen,
 * retitle the window or plant a hyperlink; printed, it shows as its escape
 * (`\u001b`) instead (infra/terminal-text.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleSummary } from '../../sim/report/console.js';
import { textTable } from '../../sim/report/format.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { failureExit } from '../../sim/commands/failure.js';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { UNSAFE_CHAR } from '../../infra/terminal-text.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'terminal-output-'));
  dirs.push(dir);
  return dir;
}

/** Lines holding a character a terminal acts on (the newlines between lines aside). */
const unsafeLines = (text: string) => text.split('\n').filter((l) => UNSAFE_CHAR.test(l));

describe('the console summary of a summary.json with escape sequences in its text', () => {
  const s = JSON.parse(readFileSync('test/sim/golden/quickstart-seed1.json', 'utf8')) as Summary;
  s.scenario = 'q\u001b[2J';
  s.seed = 'x\u001b]0;T\u0007';
  s.warnings = ['\u202eevil'];
  s.groups = { 'b\u001b[31m': s.groups.bargain!, quality: s.groups.quality! };
  const meta = { code: { commit: 'x', dirty: false }, node: 'v20', versions: {}, secrets: 'seeded' as const };
  const text = consoleSummary(s, meta);
  const lines = text.split('\n');

  it('shows them escaped in the headline, the group table (aligned on the escaped name), the warning and the secrets line', () => {
    expect(lines[0]).toBe(
      'q\\u001b[2J (seed x\\u001b]0;T\\u0007, embedded): 60 s of market, 5 buyers, 3 sellers, 0 resellers, 0 sub-agents, 1 router',
    );
    const group = lines.find((l) => l.startsWith('b\\u001b'))!;
    const quality = lines.find((l) => l.startsWith('quality '))!;
    expect(group.slice(0, 13)).toBe('b\\u001b[31m  ');
    expect(group.length).toBe(quality.length);
    expect(lines).toContain('warning: \\u202eevil');
    expect(lines.at(-1)).toBe(
      'secrets: seeded from seed x\\u001b]0;T\\u0007: anyone who knows the seed can recompute every key and preimage of this run (simulation only)',
    );
  });

  it('prints no line with a control, bidi or separator character', () => {
    expect(unsafeLines(text)).toEqual([]);
  });
});

describe('textTable', () => {
  it('escapes a cell and aligns the columns on the escaped text', () => {
    expect(
      textTable(
        ['name', 'n'],
        [
          ['a\u001bb', 1],
          ['c', 22],
        ],
      ),
    ).toBe('name       n\n────────  ──\na\\u001bb   1\nc         22');
  });
});

describe('errors repeating a scenario file’s text', () => {
  it('sim validate prints an unknown key holding an escape sequence escaped, the lines kept', async () => {
    const file = join(tmp(), 'esc.yaml');
    const quickstart = readFileSync('sim/scenarios/quickstart.yaml', 'utf8');
    writeFileSync(
      file,
      quickstart.replace('registry: { searchLimit: 5 }', 'registry: { searchLimit: 5, "\\e[33mkey\\r": 1 }'),
    );
    const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
    const err = await validateCommand([file], io).then(
      () => expect.unreachable('the scenario validated'),
      (e: unknown) => e,
    );
    const printed: string[] = [];
    expect(failureExit('validate', err, (t) => printed.push(t))).toBe(1);
    expect(printed).toEqual([
      `${file}: scenario is invalid\n  registry: unknown key "\\u001b[33mkey\\u000d"; allowed: searchLimit\n\nfix the file and try again.`,
    ]);
  });
});

describe('sim run with a text seed holding escape sequences', () => {
  it('prints the seed escaped on its progress line, headline and secrets line', async () => {
    const printed: string[] = [];
    const io: CommandIo = {
      out: (t) => printed.push(t),
      err: (t) => printed.push(t),
      interactive: false,
      now: () => new Date(0),
    };
    const seed = 'x\u001b]0;T\u0007\u001b[2J';
    const out = join(tmp(), 'out');
    await runCommand(['quickstart', '--seed', seed, '--out', out, '--set', 'durationSec=1', '--no-png'], io);
    const text = printed.join('\n');
    expect(printed[0]).toBe(
      'running quickstart (seed x\\u001b]0;T\\u0007\\u001b[2J, embedded): 1 s of market time…',
    );
    expect(text).toContain('quickstart (seed x\\u001b]0;T\\u0007\\u001b[2J, embedded): 1 s of market,');
    expect(text).toContain('secrets: seeded from seed x\\u001b]0;T\\u0007\\u001b[2J: anyone who knows');
    expect(unsafeLines(text)).toEqual([]);
  }, 60_000);
});
