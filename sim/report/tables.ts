import type { Summary } from '../metrics/summary.js';
import { STEPS } from '../metrics/rows.js';
import { int, ms, pct, sats } from './format.js';
import type { Provenance } from './provenance.js';

/**
 * The run's tables as header + formatted rows, shared by the terminal
 * summary and report.html so both say the same thing.
 */
export interface Table {
  header: string[];
  rows: string[][];
}

/** The purchase funnel: each rate with its own denominator. */
export function funnelTable(s: Summary): Table {
  const p = s.purchases;
  return {
    header: ['rate', 'value', 'of'],
    rows: [
      [
        'quote rejection',
        pct(p.quoteRejectionRate),
        `${int(p.quoteRejections)} of ${int(p.attempts)} attempts`,
      ],
      [
        'policy denial',
        pct(p.policyDenialRate),
        `${int(p.policyDenials)} of ${int(p.attempts - p.quoteRejections)} checked quotes`,
      ],
      [
        'payment success',
        pct(p.paymentSuccessRate),
        `${int(p.paymentsSucceeded)} of ${int(p.paymentsAttempted)} payments`,
      ],
      ['delivery', pct(p.deliveryRate), `${int(p.delivered)} of ${int(p.paidCalls)} paid calls`],
      ['token reuse', pct(p.tokenReuseRate), `${int(p.tokenReuses)} of ${int(p.delivered)} deliveries`],
      ['task completion', pct(p.taskCompletionRate), `${int(p.tasksDone)} of ${int(p.tasks)} tasks`],
    ],
  };
}

/** Welfare split into buyer surplus, seller profit and routing income. */
export function welfareTable(s: Summary): Table {
  const w = s.welfare;
  return {
    header: ['welfare', 'amount'],
    rows: [
      ['buyer surplus (value earned − paid)', sats(w.buyerSurplusMsat)],
      ['seller profit (revenue − upstream − cost)', sats(w.sellerProfitMsat)],
      ['routing income (fees)', sats(w.routingIncomeMsat)],
      ['total', sats(w.totalMsat)],
      ['buyer surplus per task', sats(w.buyerSurplusPerTaskMsat)],
    ],
  };
}

/** Outcomes, with the Lightning failure reasons of failed payments. */
export function outcomeTable(s: Summary): Table {
  const total = Math.max(1, s.purchases.total);
  return {
    header: ['outcome', 'attempts', 'share'],
    rows: [
      ...Object.entries(s.purchases.byOutcome).map(([o, n]) => [o, int(n), pct(n / total)]),
      ...Object.entries(s.purchases.byFailure).map(([f, n]) => [
        `  payment failed: ${f}`,
        int(n),
        pct(n / total),
      ]),
    ],
  };
}

/** Latency of attempted purchases, then of each step over the attempts where it happened. */
export function latencyTable(s: Summary): Table {
  const rows = [
    ['attempted purchase', s.latency.attempts] as const,
    ...STEPS.map((st) => [st, s.latency.steps[st]] as const),
  ];
  return {
    header: ['latency', 'n', 'p50', 'p95', 'p99', 'max'],
    rows: rows.map(([n, p]) => [n, int(p.count), ms(p.p50), ms(p.p95), ms(p.p99), ms(p.max)]),
  };
}

/** Per agent group: the funnel's rates, surplus and latency. */
export function groupTable(s: Summary): Table {
  return {
    header: ['group', 'role', 'attempts', 'pay ok', 'delivered', 'tasks done', 'surplus/task', 'p50'],
    rows: Object.entries(s.groups).map(([name, g]) => [
      name,
      g.role,
      int(g.attempts),
      pct(g.paymentSuccessRate),
      pct(g.deliveryRate),
      `${int(g.tasksDone)}/${int(g.tasks)}`,
      sats(g.surplusPerTaskMsat),
      ms(g.latencyP50),
    ]),
  };
}

/** Per buyer group that negotiated: agreements, failures to agree, rounds, and savings against posted prices. */
export function negotiationTable(s: Summary): Table {
  return {
    header: [
      'negotiating group',
      'negotiations',
      'agreed',
      'no agreement',
      'mean rounds',
      'posted',
      'agreed at',
      'saved',
    ],
    rows: Object.entries(s.negotiation ?? {}).map(([name, n]) => [
      name,
      int(n.negotiations),
      int(n.agreed),
      `${int(n.noAgreement)} (${pct(n.failureRate)})`,
      n.meanRounds.toFixed(2),
      sats(n.postedMsat),
      sats(n.agreedMsat),
      `${sats(n.savingsMsat)} (${pct(n.savingsRate)})`,
    ]),
  };
}

/** Who got the money: per payee revenue and share, and the HHI. */
export function marketTable(s: Summary): Table {
  return {
    header: ['payee', 'revenue', 'sales', 'share'],
    rows: [
      ...Object.entries(s.market.sellers).map(([n, v]) => [
        n,
        sats(v.revenueMsat),
        int(v.sales),
        pct(v.share),
      ]),
      ['concentration (HHI)', '', '', s.market.hhi.toFixed(3)],
    ],
  };
}

/**
 * Repricing sellers' posted prices: how often each moved, its range, its
 * time-weighted mean over the run, how often it relented (jumped back up).
 */
export function postedPriceTable(s: Summary, posted: NonNullable<Summary['postedPrices']>): Table {
  return {
    header: ['repricing seller', 'changes', 'min', 'time-weighted mean', 'max', 'relents', 'last'],
    rows: Object.entries(posted).map(([seller, list]) => {
      let area = 0;
      list.forEach((p, i) => (area += p.msat * ((list[i + 1]?.atMs ?? s.durationMs) - p.atMs)));
      const prices = list.map((p) => p.msat);
      return [
        seller,
        int(list.length - 1),
        sats(Math.min(...prices)),
        sats(Math.round(area / s.durationMs)),
        sats(Math.max(...prices)),
        int(list.filter((p) => p.move === 'relent').length),
        sats(prices.at(-1)!),
      ];
    }),
  };
}

/** Where a run came from: scenario hash, code version, packages, seed, backend. */
export function provenanceTable(s: Summary, meta?: Provenance): Table {
  const rows = [
    ['scenario', `${s.scenario} (sha256 ${s.scenarioHash.slice(0, 16)}…)`],
    ['seed', String(s.seed)],
    ['backend', s.backend],
  ];
  if (meta) {
    rows.push(['code', `${meta.code.commit}${meta.code.dirty ? ' (uncommitted changes)' : ''}`]);
    rows.push(['node', meta.node]);
    rows.push([
      'packages',
      Object.entries(meta.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ]);
  }
  return { header: ['provenance', ''], rows };
}
