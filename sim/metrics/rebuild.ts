import { parsePurchasesCsv, parseTasksCsv } from './csv.js';
import { RowAggregator } from './aggregate.js';
import type { RowAggregates } from './summary.js';

/**
 * Rebuilds every row aggregate of summary.json (funnel, money, latency,
 * prices, welfare, groups, market, series) from a run's purchases.csv and
 * tasks.csv alone. `durationMs` is summary.json's (it sets the series' bucket).
 *
 * @example
 * const again = rebuildAggregates(readFileSync('purchases.csv', 'utf8'), readFileSync('tasks.csv', 'utf8'), s.durationMs);
 */
export function rebuildAggregates(purchasesCsv: string, tasksCsv: string, durationMs: number): RowAggregates {
  const agg = new RowAggregator(durationMs);
  // The recorder folds each task after its purchases; the aggregates do not depend on the interleaving.
  for (const r of parsePurchasesCsv(purchasesCsv)) agg.purchase(r);
  for (const t of parseTasksCsv(tasksCsv)) agg.task(t);
  return agg.result();
}
