import type { TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite specifications of a run's charts, built from summary.json alone
 * (so `sim report <dir>` can redraw them). Rendering lives in render.ts.
 */
export interface Chart {
  /** File stem for the PNG (`latency-cdf` → charts/latency-cdf.png). */
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const WIDTH = 520;
const HEIGHT = 260;
export const base = {
  width: WIDTH,
  height: HEIGHT,
  background: 'white',
  config: { font: 'DejaVu Sans' },
} as const;

/** A paid purchase as the price scatter draws it (read back from purchases.csv). */
export interface PricePoint {
  startMs: number;
  seller: string;
  paidMsat: number;
}
