/** An integer with thousands separators. */
export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A count (as `int`) and its noun, singular for 1: `plural(1, 'router')` → "1 router", `plural(1200, 'seed')` → "1,200 seeds". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${int(n)} ${n === 1 ? noun : nouns}`;
}
