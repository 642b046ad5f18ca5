import type { Summary } from '../metrics/summary.js';
import type { ReportedSummary } from '../metrics/summary-schema.js';
import { esc, int, pct, plural, sats } from './format.js';
import { chartGrid, htmlPage, htmlTable, table, type RenderedChart } from './html.js';
import {
  funnelTable,
  groupTable,
  latencyTable,
  marketTable,
  postedPriceTable,
  priceTable,
  negotiationNote,
  negotiationTable,
  outcomeTable,
  provenanceTable,
  welfareTable,
  withoutNegotiation,
} from './tables.js';
import type { Provenance } from './provenance.js';

/** report.html of one run: overview, funnel, welfare, charts, then the tables section by section. */
export function runReportHtml(reported: ReportedSummary, charts: RenderedChart[], meta?: Provenance): string {
  const s = withoutNegotiation(reported);
  const sections = [
    `<h2>Overview</h2>`,
    overviewTable(s),
    ...s.warnings.map((w) => `<p class="bad">warning: ${esc(w)}</p>`),
    `<h2>Purchase funnel</h2>`,
    table(funnelTable(s)),
    `<h2>Welfare</h2>`,
    table(welfareTable(s)),
    `<h2>Charts</h2>`,
    chartGrid(charts),
    `<h2>Outcomes</h2>`,
    table(outcomeTable(s)),
    `<h2>Tasks</h2>`,
    htmlTable(
      ['task ended', 'tasks'],
      Object.entries(s.welfare.byStopReason).map(([r, n]) => [r, int(n)]),
    ),
    `<h2>Latency</h2>`,
    table(latencyTable(s)),
    `<h2>Prices paid per call by capability</h2>`,
    table(priceTable(s)),
    `<h2>Agent groups</h2>`,
    table(groupTable(s)),
    `<h2>Payees</h2>`,
    table(marketTable(s)),
    ...(s.postedPrices ? [`<h2>Posted prices</h2>`, table(postedPriceTable(s, s.postedPrices))] : []),
    `<h2>Sellers</h2>`,
    htmlTable(
      ['seller group', 'revenue', 'sales', 'refunds'],
      Object.entries(s.sellers).map(([n, v]) => [n, sats(v.revenueMsat), int(v.sales), int(v.refunds)]),
    ),
    ...(Object.keys(s.resale).length ? [`<h2>Resale</h2>`, resaleTable(s)] : []),
    ...(reported.negotiation ? negotiationSection(reported) : []),
    ...(s.faults.length ? [`<h2>Faults injected</h2>`, faultsTable(s)] : []),
    `<h2>Conservation</h2>`,
    ...conservation(s),
  ];
  sections.push(`<h2>Provenance</h2>`, table(provenanceTable(s, meta)));
  return htmlPage(`${s.scenario}, seed ${s.seed}`, s.description, sections);
}

function overviewTable(s: Summary): string {
  return htmlTable(
    ['what', 'value'],
    [
      ['market time', `${int(s.durationMs / 1000)} s (last activity at ${int(s.endedAtMs / 1000)} s)`],
      [
        'agents',
        [
          plural(s.counts.buyers, 'buyer'),
          plural(s.counts.subAgents, 'sub-agent'),
          plural(s.counts.resellers, 'reseller'),
        ].join(', '),
      ],
      ['network', `${plural(s.counts.sellers, 'seller')}, ${plural(s.counts.routers, 'router')}`],
      ['purchase attempts', int(s.purchases.total)],
      ['spent', sats(s.money.spentMsat)],
      ['routing fees', `${sats(s.money.feesMsat)} (${pct(s.money.feeRate)} of spend)`],
    ],
  );
}

function resaleTable(s: Summary): string {
  return htmlTable(
    ['reseller', 'bought', 'sold', 'margin', 'margin rate', 'slices sold'],
    Object.entries(s.resale).map(([n, r]) => [
      n,
      sats(r.costMsat),
      sats(r.revenueMsat),
      sats(r.marginMsat),
      pct(r.marginRate),
      int(r.sales),
    ]),
  );
}

function faultsTable(s: Summary): string {
  return htmlTable(
    ['at', 'kind', 'target', 'detail'],
    s.faults.map((f) => [`${(f.atMs / 1000).toFixed(1)} s`, f.kind, f.target, f.detail]),
  );
}

/** Whether money is conserved to the msat, and the sums that show it. */
function conservation(s: Summary): string[] {
  const k = s.conservation;
  return [
    `<p class="${k.holds ? 'ok' : 'bad'}">${k.holds ? 'Holds to the msat.' : 'BROKEN: see the differences below.'}</p>`,
    htmlTable(
      ['check', 'msat'],
      [
        ['debits (buyers and sub-agents, incl. fees)', int(k.debitsMsat)],
        ['credits: sellers (net)', int(k.sellersMsat)],
        ['credits: resellers (net)', int(k.resellersMsat)],
        ['routing fees earned by routers', int(k.routingFeesMsat)],
        ['debits − credits − fees', int(k.differenceMsat)],
        ['payers’ own records − ledger debits', int(k.recorded.spendDifferenceMsat)],
        ['fees in records − fees earned', int(k.recorded.feeDifferenceMsat)],
        ['network total: start → end', `${int(k.network.initialMsat)} → ${int(k.network.finalMsat)}`],
      ],
    ),
  ];
}

/** The negotiation table, and below it what a run written before `paid` did not record. */
function negotiationSection(s: ReportedSummary): string[] {
  const note = negotiationNote(s);
  return [`<h2>Negotiation</h2>`, table(negotiationTable(s)), ...(note ? [`<p>${esc(note)}</p>`] : [])];
}
