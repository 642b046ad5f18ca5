/**
 * Outside a git checkout meta.json's `code` said `{ commit: "unknown", dirty: false }`: a
 * claim that the tree was clean when nothing was known. Now `dirty` is null there, reports
 * say it is unknown, and `sim report` reads such a meta.json.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeText, codeVersion } from '../../sim/report/provenance.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { reportCommand } from '../../sim/commands/report-command.js';
import type { CommandIo } from '../../sim/commands/io.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('the code of a run outside a git checkout', () => {
  it('is commit "unknown" with dirty null, not false', () => {
    expect(codeVersion(tmp('not-a-checkout-'))).toEqual({ commit: 'unknown', dirty: null });
  });

  it('reads as unknown in a report; a known commit with an unknown tree says so', () => {
    expect(codeText({ commit: 'unknown', dirty: null })).toBe('unknown (not a git checkout)');
    expect(codeText({ commit: 'abc123', dirty: null })).toBe('abc123 (uncommitted changes unknown)');
    expect(codeText({ commit: 'abc123', dirty: true })).toBe('abc123 (uncommitted changes)');
    expect(codeText({ commit: 'abc123', dirty: false })).toBe('abc123');
  });

  it('sim report redraws a run whose meta.json has dirty null, showing the code as unknown', async () => {
    const out = join(tmp('code-unknown-'), 'out');
    expect(await runCommand(['quickstart', '--set', 'durationSec=5', '--no-png', '--out', out], io)).toBe(0);
    const metaFile = join(out, 'meta.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(metaFile, JSON.stringify({ ...meta, code: { commit: 'unknown', dirty: null } }));
    expect(await reportCommand([out, '--no-png'], io)).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('unknown (not a git checkout)');
  });
});
