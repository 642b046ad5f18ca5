/**
 * What the figure scripts advise and say: a sweep command that never replaces another sweep's
 * outputs, and the path of every file they write.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, tmp } from './figure-script.js';

/** A folder holding a sweep of `scenario` (its sweep.json only). */
function sweepOf(scenario: string, points: unknown[] = []): string {
  const dir = tmp();
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ scenario, seeds: [1, 2], points }));
  return dir;
}

const refused = (dir: string) =>
  `${join(dir, 'sweep.json')} is a sweep of "price-war", so it is not a negotiation sweep's output: `;

describe("a figure script given a folder that is not its scenario's sweep", () => {
  it("advises the scenario's default folder, not --out on the price-war sweep it was given", () => {
    const dir = sweepOf('price-war');
    expect(figure('negotiation', [dir])).toEqual({
      code: 2,
      out: '',
      err:
        refused(dir) +
        `run \`npm run sim -- sweep negotiation --out runs/sweep-negotiation\` first and give that folder to this script (a sweep into ${dir} would replace what is there)\n`,
    });
  });

  it('advises runs/sweep-negotiation-2 when runs/sweep-negotiation holds files too', () => {
    const dir = sweepOf('price-war');
    const cwd = tmp('figure-cwd-');
    mkdirSync(join(cwd, 'runs', 'sweep-negotiation'), { recursive: true });
    writeFileSync(join(cwd, 'runs', 'sweep-negotiation', 'notes.txt'), 'mine');
    expect(figure('negotiation', [dir], cwd).err).toBe(
      refused(dir) +
        `run \`npm run sim -- sweep negotiation --out runs/sweep-negotiation-2\` first and give that folder to this script (a sweep into ${dir} would replace what is there)\n`,
    );
  });

  it('advises --out on the folder itself when it exists but is empty', () => {
    const dir = tmp();
    expect(figure('negotiation', [dir]).err).toBe(
      `${dir} has no sweep.json, so it is not a negotiation sweep's output: run \`npm run sim -- sweep negotiation --out ${dir}\` first\n`,
    );
  });
});

describe('success-vs-amount figure', () => {
  const interval = (mean: number, halfWidth: number) => ({
    n: 2,
    mean,
    sd: halfWidth,
    low: mean - halfWidth,
    high: mean + halfWidth,
    halfWidth,
  });
  const groups = (rates: number[]) =>
    Object.fromEntries(
      ['pay-1k', 'pay-10k', 'pay-100k', 'pay-1m'].map((g, i) => [
        g,
        { paymentSuccessRate: interval(rates[i]!, 0.05) },
      ]),
    );
  const point = (index: number, maxParts: number, rates: number[]) => ({
    index,
    label: `network.payments.maxParts=${maxParts}`,
    overrides: { 'network.payments.maxParts': maxParts },
    seeds: [1, 2],
    groups: groups(rates),
  });

  it('says on stderr which file it wrote (figure: <path>) and prints the table on stdout', () => {
    const dir = sweepOf('success-vs-amount', [
      point(0, 1, [0.9, 0.75, 0.5, 0.25]),
      point(1, 16, [1, 0.9, 0.8, 0.5]),
    ]);
    const figures = join(tmp(), 'figures');
    const r = figure('success-vs-amount', [dir, figures]);
    const png = join(figures, 'success-vs-amount.png');
    expect(r).toEqual({
      code: 0,
      err: `figure: ${png}\n`,
      out: [
        '| amount | mainnet snapshot | single-part | multi-part (≤ 16 shards) |',
        '| --- | --- | --- | --- |',
        '| 1,000 sat | 88.1% | 90.0% ± 5.0 | 100.0% ± 5.0 |',
        '| 10,000 sat | 77.6% | 75.0% ± 5.0 | 90.0% ± 5.0 |',
        '| 100,000 sat | 40.8% | 50.0% ± 5.0 | 80.0% ± 5.0 |',
        '| 1,000,000 sat | 12.3% | 25.0% ± 5.0 | 50.0% ± 5.0 |',
        '',
      ].join('\n'),
    });
    expect(existsSync(png)).toBe(true);
  });
});
