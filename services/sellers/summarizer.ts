import { LabError } from '../../infra/errors.js';
import type { ModelLimits, OpenAiEnv } from '../../infra/llm/chat-openai.js';

/**
 * Summarizers for the llm-summary seller: an OpenAI-compatible chat model
 * when one is configured, and a deterministic extractive fallback that needs
 * nothing (frequency-scored sentences, kept in their original order).
 */

/** Turns text into a summary of at most `maxSentences` sentences. */
export interface Summarizer {
  readonly model: string;
  summarize(text: string, maxSentences: number): Promise<string>;
}

const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with which not but they their there than then also can'.split(
    ' ',
  ),
);

const isEnd = (ch: string | undefined) => ch === '.' || ch === '!' || ch === '?';

/**
 * Splits text into sentences: a run of other characters, then a run of `.`,
 * `!`, `?` followed by a space or the end (or the text's last run without
 * one). A run whose stops are followed by anything else (`3.14`) is dropped
 * up to them, as the pattern `[^.!?]+[.!?]+(?=\s|$)|[^.!?]+$` does, in one
 * pass: a buyer's text of n characters costs O(n), never the pattern's
 * backtracking O(n²) (`'a'.repeat(20_000) + '!x'`).
 */
export function sentences(text: string): string[] {
  const t = text.replace(/\s+/g, ' ');
  const out: string[] = [];
  let i = 0;
  while (i < t.length) {
    let j = i;
    while (j < t.length && !isEnd(t[j])) j++;
    let k = j;
    while (k < t.length && isEnd(t[k])) k++;
    if (j > i && (k === t.length || t[k] === ' ')) out.push(t.slice(i, k).trim());
    i = k;
  }
  return out.filter((s) => s.length > 0);
}

/**
 * The fallback: scores each sentence by the summed document frequency of its
 * content words (normalised by length), takes the best `maxSentences` and
 * returns them in document order. Same input, same output.
 */
export const extractiveSummarizer: Summarizer = {
  model: 'extractive-v1',
  async summarize(text, maxSentences) {
    const list = sentences(text);
    if (list.length <= maxSentences) return list.join(' ');
    const words = (s: string) =>
      (s.toLowerCase().match(/[a-z0-9']+/g) ?? []).filter((w) => !STOPWORDS.has(w));
    const freq = new Map<string, number>();
    for (const s of list) for (const w of words(s)) freq.set(w, (freq.get(w) ?? 0) + 1);
    const scored = list.map((s, i) => {
      const ws = words(s);
      const score = ws.reduce((a, w) => a + (freq.get(w) ?? 0), 0) / Math.sqrt(ws.length + 1);
      return { i, score };
    });
    scored.sort((a, b) => b.score - a.score || a.i - b.i);
    const keep = scored
      .slice(0, maxSentences)
      .map((x) => x.i)
      .sort((a, b) => a - b);
    return keep.map((i) => list[i]).join(' ');
  },
};

/** Most characters of a model's summary delivered; a longer one is cut (with an ellipsis). */
export const MAX_SUMMARY_CHARS = 4_000;
/**
 * Most ms one summary may take from the model: below a buyer's 30 s request
 * timeout, so a slow provider is the seller's 502 (the call given back), not
 * the buyer's timeout on a paid call. OPENAI_TIMEOUT_MS may lower it.
 */
export const SUMMARY_TIMEOUT_MS = 20_000;
/**
 * Most tokens the model may generate for one summary, whatever the buyer's
 * text asks for: MAX_SUMMARY_CHARS at about 4 characters a token (English),
 * so a summary the seller would deliver is not cut, and a longer one is not
 * generated (and billed) to be thrown away.
 */
export const SUMMARY_MAX_TOKENS = MAX_SUMMARY_CHARS / 4;

export type { OpenAiEnv } from '../../infra/llm/chat-openai.js';

/**
 * A summarizer on `@langchain/openai`'s ChatOpenAI when OPENAI_API_KEY is set
 * (OPENAI_BASE_URL for any OpenAI-compatible server, OPENAI_MODEL, default
 * gpt-4o-mini), built by `chatModelFromEnv` with the seller's limits: at most
 * SUMMARY_TIMEOUT_MS per request, SUMMARY_MAX_TOKENS generated, no retry, a
 * 256 KiB reply. A reply with no text throws (the seller answers 502 and the
 * paywall gives the call back); a longer one than MAX_SUMMARY_CHARS is cut.
 * Otherwise the extractive fallback. The import is lazy so the embedded world
 * never loads the OpenAI client; `limits` are for tests.
 */
export async function createSummarizer(
  env: OpenAiEnv,
  limits: Partial<ModelLimits> = {},
): Promise<Summarizer> {
  if (!env.OPENAI_API_KEY) return extractiveSummarizer;
  const { chatModelFromEnv } = await import('../../infra/llm/chat-openai.js');
  const chat = chatModelFromEnv(env, 'the llm-summary seller', {
    maxTimeoutMs: SUMMARY_TIMEOUT_MS,
    maxTokens: SUMMARY_MAX_TOKENS,
    maxRetries: 0,
    ...limits,
  });
  return {
    model: chat.model,
    async summarize(text, maxSentences) {
      const reply = await chat.invoke([
        [
          'system',
          `Summarize the user's text in at most ${maxSentences} sentences. Reply with the summary only.`,
        ],
        ['human', text],
      ]);
      const summary = reply.text.trim();
      if (!summary) throw new LabError('empty_summary', 'the model replied with no text');
      return [...summary].length <= MAX_SUMMARY_CHARS ? summary : boundedLength(summary);
    },
  };
}

function boundedLength(summary: string): string {
  return `${[...summary].slice(0, MAX_SUMMARY_CHARS - 1).join('')}…`;
}
