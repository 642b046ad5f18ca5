import { esc } from './format.js';
import type { Table } from './tables.js';

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

/** An HTML table from a report table. */
export function table(t: Table): string {
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
