import type { Summary } from '../metrics/summary.js';
import type { NegotiationStats } from '../metrics/negotiation.js';
import {
  writtenBeforePaid,
  type OlderNegotiationStats,
  type ReportedSummary,
} from '../metrics/summary-schema.js';
import { STEPS } from '../metrics/rows.js';
import { fixed, int, ms, pct, plural, sats } from './format.js';
import { codeText, secretsText, type Provenance } from './provenance.js';

/**
 * The run's tables as header + formatted rows, shared by the terminal
 * summary and report.html so both say the same thing. A figure with nothing
 * to measure (null in summary.json) is written n/a.
 */
export interface Table {
  header: string[];
  rows: string[][];
}

/** The purchase funnel: each rate with its own denominator (n/a when the denominator is 0). */
export function funnelTable(s: Summary): Table {
  const p = s.purchases;
  const of = (n: number, total: number, noun: string, nouns?: string) =>
    `${int(n)} of ${plural(total, noun, nouns)}`;
  return {
    header: ['rate', 'value', 'of'],
    rows: [
      ['quote rejection', pct(p.quoteRejectionRate), of(p.quoteRejections, p.attempts, 'attempt')],
      [
        'policy denial',
        pct(p.policyDenialRate),
        of(p.policyDenials, p.attempts - p.quoteRejections, 'checked quote'),
      ],
      ['payment success', pct(p.paymentSuccessRate), of(p.paymentsSucceeded, p.paymentsAttempted, 'payment')],
      ['delivery', pct(p.deliveryRate), of(p.delivered, p.paidCalls, 'paid call')],
      ['token reuse', pct(p.tokenReuseRate), of(p.tokenReuses, p.delivered, 'delivery', 'deliveries')],
      ['task completion', pct(p.taskCompletionRate), of(p.tasksDone, p.tasks, 'task')],
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

/** A summary's negotiation section, this version's or one written before `paid`. */
type Negotiations = { negotiation?: Record<string, NegotiationStats | OlderNegotiationStats> };

/**
 * Per buyer group that negotiated: agreements (paid or not), failures to agree, rounds, and over the
 * agreements paid at their agreed price, what those would have cost at the posted price, what was
 * paid, and the savings (`not recorded` by a run written before `paid`: see `negotiationNote`).
 */
export function negotiationTable(s: Negotiations): Table {
  return {
    header: [
      'negotiating group',
      'negotiations',
      'agreed',
      'no agreement',
      'mean rounds',
      'paid at agreed price',
      'posted price of those',
      'paid',
      'saved',
    ],
    rows: Object.entries(s.negotiation ?? {}).map(([name, n]) => [
      name,
      int(n.negotiations),
      int(n.agreed),
      `${int(n.noAgreement)} (${pct(n.failureRate)})`,
      fixed(n.meanRounds, 2),
      ...(writtenBeforePaid(n)
        ? Array<string>(4).fill('not recorded')
        : [
            int(n.paid),
            sats(n.postedMsat),
            sats(n.paidMsat),
            `${sats(n.savingsMsat)} (${pct(n.savingsRate)})`,
          ]),
    ]),
  };
}

/**
 * What the report says below the negotiation table of a run written before `paid` (its sums are
 * over every agreement, paid or not, so none is shown); undefined for any other run.
 */
export function negotiationNote(s: Negotiations): string | undefined {
  if (!Object.values(s.negotiation ?? {}).some(writtenBeforePaid)) return undefined;
  return (
    'this run was written by an older version, which did not record which agreements were paid: ' +
    'agreements paid, their posted prices, the amounts paid and the savings are not recorded ' +
    '(re-run the scenario to record them)'
  );
}

/** The summary without its negotiation section (every table and chart but the negotiation one reads this). */
export function withoutNegotiation(s: ReportedSummary): Summary {
  const { negotiation: _negotiation, ...rest } = s;
  return rest;
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
      ['concentration (HHI)', '', '', fixed(s.market.hhi, 3)],
    ],
  };
}

/**
 * Prices paid per call by capability (summary.json `prices`: a bundle's price over its calls; restocks by
 * resellers and time passes left out) and their dispersion.
 */
export function priceTable(s: Summary): Table {
  return {
    header: ['capability', 'purchases', 'mean per call', 'sd', 'dispersion (CV)', 'min', 'max'],
    rows: Object.entries(s.prices).map(([c, p]) => [
      c,
      int(p.n),
      sats(p.meanMsat),
      sats(p.sdMsat),
      fixed(p.cv, 3),
      sats(p.minMsat),
      sats(p.maxMsat),
    ]),
  };
}

/**
 * When the posted prices stop counting: the scenario's end, or a stopped run's stop when that came first
 * (the market after a stop never ran, so no price was posted for it).
 */
export function postedUntilMs(s: Pick<Summary, 'durationMs' | 'endedAtMs' | 'stopped'>): number {
  return s.stopped ? Math.min(s.durationMs, s.endedAtMs) : s.durationMs;
}

/**
 * Repricing sellers' posted prices: how often each moved, its range, its time-weighted mean over the market
 * that ran (to `postedUntilMs`; n/a when that is no time at all), how often it relented (jumped back up).
 */
export function postedPriceTable(s: Summary, posted: NonNullable<Summary['postedPrices']>): Table {
  const endMs = postedUntilMs(s);
  return {
    header: ['repricing seller', 'changes', 'min', 'time-weighted mean', 'max', 'relents', 'last'],
    rows: Object.entries(posted).map(([seller, list]) => {
      let area = 0;
      list.forEach((p, i) => (area += p.msat * ((list[i + 1]?.atMs ?? endMs) - p.atMs)));
      const prices = list.map((p) => p.msat);
      return [
        seller,
        int(list.length - 1),
        sats(Math.min(...prices)),
        sats(endMs > 0 ? Math.round(area / endMs) : null),
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
  if (meta?.secrets) rows.push(['secrets', secretsText(meta.secrets, s.seed)]);
  if (meta) {
    rows.push(['code', codeText(meta.code)]);
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
