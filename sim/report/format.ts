/** Number formatting shared by the console table and the HTML report. */

/** msat as sats with up to 3 decimals and thousands separators: 1234567 → "1,234.567 sat". */
export function sats(msat: number): string {
  const s = msat / 1000;
  return `${s.toLocaleString('en-US', { maximumFractionDigits: 3 })} sat`;
}

/** A fraction as a percentage: 0.9234 → "92.3%". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Milliseconds, rounded: 1234.5 → "1,235 ms". */
export function ms(x: number): string {
  return `${Math.round(x).toLocaleString('en-US')} ms`;
}

/** An integer with thousands separators. */
export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Escapes text for HTML. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Lays out rows as an aligned plain-text table. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}
