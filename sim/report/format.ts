/**
 * Number formatting shared by the console tables and the HTML reports. A figure
 * with nothing to measure (null: a rate over nothing, a latency without samples)
 * is written NOT_AVAILABLE, never 0.
 */

import { terminalSafe } from '../../infra/terminal-text.js';

/** What a table shows for an undefined figure (a rate over nothing, an interval from one seed). */
export const NOT_AVAILABLE = 'n/a';

/** msat as sats with up to 3 decimals and thousands separators: 1234567 → "1,234.567 sat". */
export function sats(msat: number | null): string {
  if (msat === null) return NOT_AVAILABLE;
  const s = msat / 1000;
  return `${s.toLocaleString('en-US', { maximumFractionDigits: 3 })} sat`;
}

/** A fraction as a percentage: 0.9234 → "92.3%". */
export function pct(x: number | null): string {
  return x === null ? NOT_AVAILABLE : `${(x * 100).toFixed(1)}%`;
}

/** Milliseconds, rounded: 1234.5 → "1,235 ms". */
export function ms(x: number | null): string {
  return x === null ? NOT_AVAILABLE : `${Math.round(x).toLocaleString('en-US')} ms`;
}

/** `x.toFixed(digits)`, or n/a for an undefined figure. */
export const fixed = (x: number | null, digits: number) => (x === null ? NOT_AVAILABLE : x.toFixed(digits));

// Counts are worded by one implementation, below the layers that print them.
export { int, plural } from '../../infra/count-words.js';

/** Escapes text for HTML. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Lays out rows as an aligned plain-text table for the terminal; every cell is `terminalSafe`
 * (group, seller and outcome names come from summary.json, which `sim report` reads back).
 */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows].map((r) => r.map((c) => terminalSafe(String(c))));
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
