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

/** Splits text into sentences (., !, ? followed by space or end). */
export function sentences(text: string): string[] {
  return (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+(?=\s|$)|[^.!?]+$/g) ?? [])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
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

/** Environment variables the OpenAI summarizer reads (passed in, not read from process.env here). */
export interface OpenAiEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
}

/**
 * A summarizer on `@langchain/openai`'s ChatOpenAI when OPENAI_API_KEY is set
 * (OPENAI_BASE_URL for any OpenAI-compatible server, OPENAI_MODEL, default
 * gpt-4o-mini); otherwise the extractive fallback. The import is lazy so
 * the embedded world never loads the OpenAI client.
 */
export async function createSummarizer(env: OpenAiEnv): Promise<Summarizer> {
  if (!env.OPENAI_API_KEY) return extractiveSummarizer;
  const { ChatOpenAI } = await import('@langchain/openai');
  const model = env.OPENAI_MODEL ?? 'gpt-4o-mini';
  const chat = new ChatOpenAI({
    model,
    apiKey: env.OPENAI_API_KEY,
    temperature: 0,
    ...(env.OPENAI_BASE_URL ? { configuration: { baseURL: env.OPENAI_BASE_URL } } : {}),
  });
  return {
    model,
    async summarize(text, maxSentences) {
      const reply = await chat.invoke([
        [
          'system',
          `Summarize the user's text in at most ${maxSentences} sentences. Reply with the summary only.`,
        ],
        ['human', text],
      ]);
      return typeof reply.content === 'string' ? reply.content.trim() : JSON.stringify(reply.content);
    },
  };
}
