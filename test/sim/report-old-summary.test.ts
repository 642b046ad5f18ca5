/**
 * `sim report` on a run written before summary.json's negotiation entries recorded `paid` (an
 * older version wrote `agreedMsat`, summed over every agreement, paid or not, and no `paid`): the
 * report is drawn, its negotiation table shows the counts that run recorded and says "not
 * recorded" for what was paid, and a note says why, never a number made up from the agreements.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../sim/commands/report-command.js';
import type { CommandIo } from '../../sim/commands/io.js';

const GOLDEN = JSON.parse(readFileSync('test/sim/golden/negotiation-seed1.json', 'utf8')) as {
  negotiation: Record<string, Record<string, unknown>>;
};
const NOTE =
  'this run was written by an older version, which did not record which agreements were paid: ' +
  'agreements paid, their posted prices, the amounts paid and the savings are not recorded ' +
  '(re-run the scenario to record them)';

/** The negotiation golden as the version before `paid` wrote it: `agreedMsat` (now `paidMsat`) and no `paid`. */
function olderSummary(): unknown {
  const { paid: _paid, paidMsat, ...rest } = GOLDEN.negotiation.hagglers!;
  return { ...GOLDEN, negotiation: { hagglers: { ...rest, agreedMsat: paidMsat } } };
}

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A run directory holding `summary` as its summary.json. */
function runDir(summary: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-old-summary-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  return dir;
}

/** `sim report DIR --no-png` on a run directory holding `summary`: its exit code, the console lines and report.html. */
async function report(summary: unknown): Promise<{ code: number; lines: string[]; html: string }> {
  const dir = runDir(summary);
  const out: string[] = [];
  const code = await reportCommand([dir, '--no-png'], { ...io, out: (t) => out.push(t) });
  return { code, lines: out.join('\n').split('\n'), html: readFileSync(join(dir, 'report.html'), 'utf8') };
}

/** The console lines after the negotiation table's header and rule: its one row, and the two lines after it. */
function negotiationLines(lines: string[]): string[] {
  const at = lines.findIndex((l) => l.startsWith('negotiating group'));
  return lines.slice(at + 2, at + 5);
}

describe('sim report on a summary.json written before negotiation.paid', () => {
  it('draws the report, showing the negotiation counts and "not recorded" for what was paid, with a note saying why', async () => {
    const r = await report(olderSummary());
    expect(r.code).toBe(0);
    expect(negotiationLines(r.lines)).toEqual([
      'hagglers                     44      32    12 (27.3%)         4.00          not recorded           not recorded  not recorded  not recorded',
      '',
      `negotiation: ${NOTE}`,
    ]);
    expect(r.html).toContain(
      '<tr><td>hagglers</td><td>44</td><td>32</td><td>12 (27.3%)</td><td>4.00</td><td>not recorded</td><td>not recorded</td><td>not recorded</td><td>not recorded</td></tr></table>\n' +
        `<p>${NOTE}</p>`,
    );
  });

  it("still shows this version's paid agreements, posted prices, amounts paid and savings, with no note", async () => {
    const r = await report(GOLDEN);
    expect(r.code).toBe(0);
    expect(negotiationLines(r.lines).slice(0, 2)).toEqual([
      'hagglers                     44      32    12 (27.3%)         4.00                    32              214.5 sat  128.7 sat  85.8 sat (40.0%)',
      '',
    ]);
    expect(r.lines.filter((l) => l.startsWith('negotiation:'))).toEqual([]);
    expect(r.html).toContain(
      '<tr><td>hagglers</td><td>44</td><td>32</td><td>12 (27.3%)</td><td>4.00</td><td>32</td><td>214.5 sat</td><td>128.7 sat</td><td>85.8 sat (40.0%)</td></tr></table>',
    );
    expect(r.html).not.toContain('not recorded');
  });

  it('refuses an older summary whose negotiation entry has no agreed count, naming the field', async () => {
    const older = olderSummary() as typeof GOLDEN;
    delete older.negotiation.hagglers!.agreed;
    const dir = runDir(older);
    await expect(reportCommand([dir, '--no-png'], io)).rejects.toThrow(
      `${dir}/summary.json is not a run summary (missing negotiation.hagglers.agreed); re-run the scenario to write it again`,
    );
  });
});
