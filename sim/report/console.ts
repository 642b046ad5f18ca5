import type { Summary } from '../metrics/summary.js';
import type { ReportedSummary } from '../metrics/summary-schema.js';
import { int, plural, sats, textTable } from './format.js';
import { secretsText, type Provenance } from './provenance.js';
import { terminalSafe } from '../../infra/terminal-text.js';
import {
  funnelTable,
  groupTable,
  latencyTable,
  marketTable,
  negotiationNote,
  negotiationTable,
  outcomeTable,
  postedPriceTable,
  welfareTable,
  withoutNegotiation,
  type Table,
} from './tables.js';

/**
 * The summary a run prints on the terminal: headline numbers, funnel, welfare, outcomes, latency,
 * groups, conservation, and (given the run's meta.json) where its secrets came from. Text from
 * the scenario or summary.json (its name, a text seed, warnings, table cells) is `terminalSafe`:
 * an escape sequence in it is shown, never sent to the terminal.
 */
export function consoleSummary(reported: ReportedSummary, meta?: Provenance): string {
  const s = withoutNegotiation(reported);
  const c = s.counts;
  const out: string[] = [];
  out.push(
    terminalSafe(`${s.scenario} (seed ${s.seed}, ${s.backend})`) +
      `: ${int(s.durationMs / 1000)} s of market, ` +
      [
        plural(c.buyers, 'buyer'),
        plural(c.sellers, 'seller'),
        plural(c.resellers, 'reseller'),
        plural(c.subAgents, 'sub-agent'),
        plural(c.routers, 'router'),
      ].join(', '),
  );
  out.push(
    `${plural(s.purchases.total, 'purchase attempt')}; spent ${sats(s.money.spentMsat)} + fees ${sats(s.money.feesMsat)}; ` +
      `welfare ${sats(s.welfare.totalMsat)} over ${plural(s.welfare.tasks, 'task')} (${int(s.welfare.done)} done` +
      (s.purchases.tasksUnfinished ? `, ${int(s.purchases.tasksUnfinished)} unfinished)` : ')'),
  );
  const tables: Table[] = [funnelTable(s), welfareTable(s), outcomeTable(s), latencyTable(s)];
  if (Object.keys(s.groups).length) tables.push(groupTable(s));
  if (Object.keys(s.market.sellers).length) tables.push(marketTable(s));
  if (s.postedPrices) tables.push(postedPriceTable(s, s.postedPrices));
  if (reported.negotiation) tables.push(negotiationTable(reported));
  for (const t of tables) out.push('', textTable(t.header, t.rows));
  const note = negotiationNote(reported);
  if (note) out.push('', `negotiation: ${note}`);
  for (const w of s.warnings) out.push('', `warning: ${terminalSafe(w)}`);
  const k = s.conservation;
  out.push('');
  out.push(
    `conservation ${k.holds ? 'holds' : 'BROKEN'}: debits ${sats(k.debitsMsat)} = credits ${sats(k.creditsMsat)} + routing fees ${sats(k.routingFeesMsat)} ` +
      `(difference ${k.differenceMsat} msat; records vs ledger ${k.recorded.spendDifferenceMsat} msat; fees recorded vs earned ${k.recorded.feeDifferenceMsat} msat; network total change ${k.network.differenceMsat} msat)`,
  );
  if (meta?.secrets) out.push(`secrets: ${terminalSafe(secretsText(meta.secrets, s.seed))}`);
  return out.join('\n');
}

/**
 * The run's times, each named: when the market ended (its `endedAtMs`: the last activity, at
 * most the drain after arrivals stop), when arrivals stopped (`durationMs`, the summary's first
 * line), the drain, the wall time, and purchase attempts per second of wall time.
 */
export function timesLine(
  s: Summary,
  run: { drainSec: number; wallMs: number; purchasesPerSec: number },
): string {
  const sec = (ms: number) => (ms / 1000).toFixed(1);
  return (
    `market time: ended at ${sec(s.endedAtMs)} s (arrivals stop at ${s.durationMs / 1000} s; tasks in flight then get up to ${run.drainSec} s more); ` +
    `wall time ${sec(run.wallMs)} s; ${int(run.purchasesPerSec)} purchase attempts per second of wall time`
  );
}
