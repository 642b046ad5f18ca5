/** A run stopped through RunOptions.signal: where it ends, what its summary says, and that its records match its ledger. */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { runScenario, type RunOutput } from '../../sim/run.js';

/**
 * quickstart, stopped the moment its first payment has gone through: its
 * purchase rows are recorded when its task ends (bargain-1's first task, three
 * purchases, from 5,750 to 6,021 ms), so records and ledger differ until then.
 */
async function stoppedAtFirstPayment(): Promise<{ out: RunOutput; paidAtMs: number }> {
  const stop = new AbortController();
  let paidAtMs = -1;
  const out = await runScenario(loadScenario('quickstart'), {
    signal: stop.signal,
    observe: (e) => {
      if (stop.signal.aborted || e.kind !== 'event' || e.type !== 'step') return;
      if (e.data.step !== 'pay' || e.data.ok !== true) return;
      paidAtMs = e.t;
      stop.abort();
    },
  });
  return { out, paidAtMs };
}

describe('a run stopped before its end', () => {
  it('ends once the task that paid at the stop has recorded its purchases, so records and ledger agree and conservation holds', async () => {
    const { out, paidAtMs } = await stoppedAtFirstPayment();
    const { summary } = out;
    expect(out.engine.stopped).toBe(true);
    expect([paidAtMs, summary.endedAtMs]).toEqual([5_750, 6_021]);
    expect([summary.purchases.total, summary.money.spentMsat, summary.money.feesMsat]).toEqual([
      3, 6_000, 306,
    ]);
    expect(summary.conservation).toMatchObject({
      holds: true,
      debitsMsat: 6_306,
      recorded: { payersMsat: 6_306, feesMsat: 306, spendDifferenceMsat: 0, feeDifferenceMsat: 0 },
    });
  });

  it('says so in summary.json as stopped: true, right after endedAtMs', async () => {
    const { out } = await stoppedAtFirstPayment();
    const keys = Object.keys(out.summary);
    expect(out.summary.stopped).toBe(true);
    expect(keys.slice(keys.indexOf('endedAtMs'), keys.indexOf('endedAtMs') + 2)).toEqual([
      'endedAtMs',
      'stopped',
    ]);
  });

  it('says so first among its warnings, with where it stopped of the whole run', async () => {
    const { out } = await stoppedAtFirstPayment();
    expect(out.summary.warnings[0]).toBe(
      'stopped at 6.0 s of 90 s of market time: the run did not finish, and its figures cover the market up to the stop only',
    );
  });

  it('a run left alone is not marked stopped', async () => {
    const out = await runScenario(loadScenario('quickstart', { overrides: { durationSec: 5 } }), {
      signal: new AbortController().signal,
    });
    expect(out.engine.stopped).toBe(false);
    expect('stopped' in out.summary).toBe(false);
    // Its only warnings: 5 s end before the first task pays (at 5.75 s), so no seller took part.
    expect(out.summary.warnings).toEqual(
      ['cheap-feed-0', 'mid-feed-0', 'premium-feed-0'].map(
        (s) =>
          `seller ${s} took part in no purchase attempt: buyers never found it or never chose it (check registry.searchLimit, its price and capability)`,
      ),
    );
  });
});
