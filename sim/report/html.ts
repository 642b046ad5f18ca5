import type { Summary } from '../metrics/summary.js';
import { esc, int, pct, sats } from './format.js';
import {
  funnelTable,
  groupTable,
  latencyTable,
  marketTable,
  postedPriceTable,
  negotiationTable,
  outcomeTable,
  provenanceTable,
  welfareTable,
  type Table,
} from './tables.js';
import type { RunMeta } from './provenance.js';

/** A rendered chart ready to inline. */
export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

const STYLE = `
body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1120px;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f6f6f6}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
figure{margin:0;border:1px solid #eee;padding:.5rem}figcaption{font-weight:600;margin-bottom:.3rem}
figure svg{max-width:100%;height:auto}
.ok{color:#2f9e44;font-weight:600}.bad{color:#c92a2a;font-weight:600}
`;

/** An HTML table from a header and rows of already-formatted cells. */
export function htmlTable(header: string[], rows: (string | number)[][]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table>${head}${body}</table>`;
}

function table(t: Table): string {
  return htmlTable(t.header, t.rows);
}

/** A whole self-contained page: inline CSS and SVG, no scripts, no external requests. */
export function htmlPage(title: string, subtitle: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${esc(title)}</h1><p class="sub">${esc(subtitle)}</p>
${sections.join('\n')}
</body></html>
`;
}

/** The charts as a grid of figures. */
export function chartGrid(charts: RenderedChart[]): string {
  return `<div class="charts">${charts
    .map((c) => `<figure id="${esc(c.id)}"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`)
    .join('')}</div>`;
}

/** report.html of one run. */
export function runReportHtml(s: Summary, charts: RenderedChart[], meta?: RunMeta): string {
  const k = s.conservation;
  const sections = [
    `<h2>Overview</h2>`,
    htmlTable(
      ['what', 'value'],
      [
        ['market time', `${int(s.durationMs / 1000)} s (last activity at ${int(s.endedAtMs / 1000)} s)`],
        [
          'agents',
          `${s.counts.buyers} buyers, ${s.counts.subAgents} sub-agents, ${s.counts.resellers} resellers`,
        ],
        ['network', `${s.counts.sellers} sellers, ${s.counts.routers} routers`],
        ['purchase attempts', int(s.purchases.total)],
        ['spent', sats(s.money.spentMsat)],
        ['routing fees', `${sats(s.money.feesMsat)} (${pct(s.money.feeRate)} of spend)`],
      ],
    ),
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
    `<h2>Prices paid by capability</h2>`,
    htmlTable(
      ['capability', 'purchases', 'mean', 'sd', 'dispersion (CV)', 'min', 'max'],
      Object.entries(s.prices).map(([c, p]) => [
        c,
        int(p.n),
        sats(p.meanMsat),
        sats(p.sdMsat),
        p.cv.toFixed(3),
        sats(p.minMsat),
        sats(p.maxMsat),
      ]),
    ),
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
    ...(Object.keys(s.resale).length
      ? [
          `<h2>Resale</h2>`,
          htmlTable(
            ['reseller', 'bought', 'sold', 'margin', 'margin rate', 'slices sold'],
            Object.entries(s.resale).map(([n, r]) => [
              n,
              sats(r.costMsat),
              sats(r.revenueMsat),
              sats(r.marginMsat),
              pct(r.marginRate),
              int(r.sales),
            ]),
          ),
        ]
      : []),
    ...(s.negotiation ? [`<h2>Negotiation</h2>`, table(negotiationTable(s))] : []),
    ...(s.faults.length
      ? [
          `<h2>Faults injected</h2>`,
          htmlTable(
            ['at', 'kind', 'target', 'detail'],
            s.faults.map((f) => [`${(f.atMs / 1000).toFixed(1)} s`, f.kind, f.target, f.detail]),
          ),
        ]
      : []),
    `<h2>Conservation</h2>`,
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
  sections.push(`<h2>Provenance</h2>`, table(provenanceTable(s, meta)));
  return htmlPage(`${s.scenario}, seed ${s.seed}`, s.description, sections);
}
