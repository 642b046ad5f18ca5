/**
 * A tiny benchmark harness: each figure is measured in the same process and
 * run as its baseline, so ratios (not absolute numbers) carry the meaning.
 */
export interface Measurement {
  name: string;
  ops: number;
  ms: number;
  opsPerSec: number;
}

/** Runs `fn` repeatedly (sync or async) for at least `minMs`, after a warm-up. */
export async function measure(
  name: string,
  fn: (i: number) => unknown,
  { minMs = 1000, warmup = 50, batch = 1 }: { minMs?: number; warmup?: number; batch?: number } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn(i);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let j = 0; j < batch; j++) await fn(ops++);
    elapsed = performance.now() - start;
  }
  return { name, ops, ms: elapsed, opsPerSec: (ops / elapsed) * 1000 };
}

/** Prints measurements as a table, with each figure's ratio to `baseline` (by name) when given. */
export function report(title: string, rows: Measurement[], baseline?: string): void {
  const base = baseline ? rows.find((r) => r.name === baseline) : undefined;
  console.log(`\n## ${title}`);
  const table = rows.map((r) => ({
    what: r.name,
    'ops/s': Math.round(r.opsPerSec).toLocaleString('en-US'),
    'µs/op': ((r.ms / r.ops) * 1000).toFixed(1),
    ...(base ? { [`× ${base.name}`]: (r.opsPerSec / base.opsPerSec).toFixed(3) } : {}),
  }));
  console.table(table);
}
