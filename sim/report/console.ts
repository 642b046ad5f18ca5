import type { Summary } from '../metrics/summary.js';
import { STEPS } from '../metrics/rows.js';
import { int, ms, pct, sats, textTable } from './format.js';

/** The summary a run prints on the terminal: headline numbers, outcomes, latency, groups, conservation. */
export function consoleSummary(s: Summary): string {
  const c = s.counts;
  const out: string[] = [];
  out.push(
    `${s.scenario} (seed ${s.seed}, ${s.backend}): ${int(s.durationMs / 1000)} s of market, ` +
      `${c.buyers} buyers, ${c.sellers} sellers, ${c.resellers} resellers, ${c.subAgents} sub-agents, ${c.routers} routers`,
  );
  out.push(
    `purchases ${int(s.purchases.total)}, success ${pct(s.purchases.successRate)}, token reuse ${pct(s.purchases.tokenReuseRate)}; ` +
      `spent ${sats(s.money.spentMsat)} + fees ${sats(s.money.feesMsat)}; sellers earned ${sats(s.money.revenueMsat)}; ` +
      `welfare ${sats(s.welfare.welfareMsat)} over ${int(s.welfare.tasks)} tasks (${int(s.welfare.done)} done)`,
  );
  out.push('');
  out.push(
    textTable(
      ['outcome', 'purchases', 'share'],
      Object.entries(s.purchases.byOutcome).map(([o, n]) => [
        o,
        int(n),
        pct(n / Math.max(1, s.purchases.total)),
      ]),
    ),
  );
  const stops = Object.entries(s.welfare.byStopReason);
  if (stops.length) {
    out.push('');
    out.push(
      textTable(
        ['task ended', 'tasks'],
        stops.map(([r, n]) => [r, int(n)]),
      ),
    );
  }
  out.push('');
  out.push(
    textTable(
      ['latency', 'p50', 'p95', 'p99', 'max'],
      [
        [
          'total',
          ms(s.latency.total.p50),
          ms(s.latency.total.p95),
          ms(s.latency.total.p99),
          ms(s.latency.total.max),
        ],
        ...STEPS.map((st) => {
          const p = s.latency.steps[st];
          return [st, ms(p.p50), ms(p.p95), ms(p.p99), ms(p.max)];
        }),
      ],
    ),
  );
  const groups = Object.entries(s.groups);
  if (groups.length) {
    out.push('');
    out.push(
      textTable(
        ['group', 'role', 'purchases', 'success', 'spent', 'tasks done', 'welfare/task'],
        groups.map(([name, g]) => [
          name,
          g.role,
          int(g.purchases),
          pct(g.successRate),
          sats(g.spentMsat + g.feesMsat),
          `${int(g.done)}/${int(g.tasks)}`,
          sats(g.welfarePerTaskMsat),
        ]),
      ),
    );
  }
  const k = s.conservation;
  out.push('');
  out.push(
    `conservation ${k.holds ? 'holds' : 'BROKEN'}: debits ${sats(k.debitsMsat)} = credits ${sats(k.creditsMsat)} + routing fees ${sats(k.routingFeesMsat)} ` +
      `(difference ${k.differenceMsat} msat; records vs ledger ${k.recorded.spendDifferenceMsat} msat; network total change ${k.network.differenceMsat} msat)`,
  );
  return out.join('\n');
}
