import type { Context } from 'hono';
import { z } from 'zod';
import { modelErrorName, redactSecrets } from '../../infra/llm/model-errors.js';
import { readJsonBody } from '../http/json-body.js';
import type { Archetype, ArchetypeDeps } from './archetype.js';

const requestSchema = z.strictObject({
  // Checked, not trimmed: the summarizer reads the text exactly as sent.
  text: z
    .string()
    .max(20_000)
    .refine((t) => t.trim().length > 0, 'must not be empty or only whitespace'),
  maxSentences: z.number().int().min(1).max(10).default(3),
});

/**
 * A summarization service: an LLM when the seller was given one (see
 * `createSummarizer`), the extractive fallback otherwise. Lower quality
 * trims the summary to fewer sentences than asked.
 */
export function llmSummary({ summarizer, quality, logger }: ArchetypeDeps): Archetype {
  return {
    method: 'POST',
    path: '/v1/summarize',
    capability: 'text:summarize',
    category: 'llm',
    description: 'Summarizes text in a few sentences (LLM when configured, extractive otherwise).',
    defaultLatency: { kind: 'lognormal', medianMs: 800, sigma: 0.4 },
    async handle(c: Context) {
      const body = await readJsonBody(c, requestSchema);
      if (!body.ok) return c.json({ error: body.code, message: body.message }, body.status);
      const asked = body.value.maxSentences;
      const granted = Math.max(1, Math.round(asked * Math.min(1, 0.25 + quality)));
      try {
        const summary = await summarizer.summarize(body.value.text, granted);
        return c.json({ summary, model: summarizer.model, maxSentences: granted });
      } catch (err) {
        // The model provider failed: a 502 says "upstream", and the paywall gives the call back. The buyer
        // hears a fixed message (the provider's text can echo the API key); details stay in the local log.
        logger?.warn(
          { error: modelErrorName(err), detail: redactSecrets(String((err as Error)?.message)) },
          'summarizer failed',
        );
        return c.json({ error: 'model_unavailable', message: 'model provider unavailable' }, 502);
      }
    },
  };
}
