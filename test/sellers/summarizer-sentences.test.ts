import { describe, expect, it } from 'vitest';
import { extractiveSummarizer, sentences } from '../../services/sellers/summarizer.js';

/** The pattern the splitter replaced: the reference for ordinary text (quadratic on hostile text). */
const byPattern = (text: string): string[] =>
  (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+(?=\s|$)|[^.!?]+$/g) ?? [])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Fastest of `runs` timings of `f`, in ms (the fastest is the one least disturbed by the machine). */
function fastestMs(f: () => unknown, runs: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

describe('sentences, the extractive summarizer split', () => {
  it.each([
    [
      'three sentences',
      'Agents pay per call. Sellers hold invoices!  Who settles?',
      ['Agents pay per call.', 'Sellers hold invoices!', 'Who settles?'],
    ],
    ['a last run without a stop', 'One. Two and more', ['One.', 'Two and more']],
    ['runs of stops, newlines and tabs', 'Wait... what?!\n\tYes.', ['Wait...', 'what?!', 'Yes.']],
    [
      'a stop inside a word (the run up to it dropped)',
      'Pi is 3.14 roughly. Next.',
      ['14 roughly.', 'Next.'],
    ],
    ['stops after spaces', ' .!? . ', ['.!?', '.']],
    ['empty', '', []],
  ])('splits %s as the pattern did', (_what, text, expected) => {
    expect(sentences(text)).toEqual(expected);
    expect(byPattern(text)).toEqual(expected);
  });

  it('keeps the summary of the seller test text as the pattern split it', async () => {
    const text =
      'Lightning payments settle in seconds. The weather was mild today. Lightning channels route payments between nodes. Payments on Lightning use hashed timelocks. Nothing else happened.';
    expect(await extractiveSummarizer.summarize(text, 2)).toBe(
      'Lightning channels route payments between nodes. Payments on Lightning use hashed timelocks.',
    );
    expect(sentences(text)).toEqual(byPattern(text));
  });

  it("splits 40,000 characters of 'a' then '!x' into ['x'] in time linear in the text (no backtracking)", () => {
    const n = 40_000;
    const hostile = 'a'.repeat(n) + '!x';
    // The same length in ordinary sentences: every scan of it ends at a stop followed by a space.
    const ordinary = ('a'.repeat(98) + '. ').repeat(n / 100) + '!x';
    expect(sentences(hostile)).toEqual(['x']);
    expect(sentences(ordinary)).toHaveLength(n / 100 + 1);
    // The pattern took ~n²/2 steps on the hostile text (0.5-0.9 s for 20 KB, 400 times the ordinary
    // text); one pass takes about as long on both. 20 times, plus 50 ms, leaves room for a busy machine.
    const hostileMs = fastestMs(() => sentences(hostile), 2);
    const ordinaryMs = fastestMs(() => sentences(ordinary), 2);
    expect(hostileMs).toBeLessThan(20 * ordinaryMs + 50);
  });
});
