import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { L402Client } from './client.js';
import type { PurchaseHints, PurchaseResult } from './outcome.js';

/** Most characters of a response body handed back to the model. */
const BODY_PREVIEW = 4_000;

/** The arguments of `l402_fetch`. */
export const l402FetchSchema = z.object({
  url: z.string().url().describe('Absolute http(s) URL of the paid API'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('HTTP method'),
  body: z.string().optional().describe('Request body (sent as-is; JSON bodies as a JSON string)'),
  maxPriceMsat: z
    .int()
    .min(0)
    .optional()
    .describe('The most to pay for this call, in millisatoshis (routing fee not included)'),
});

/**
 * `l402_fetch` as a LangChain tool: any LangChain agent can call paid APIs
 * with it. It returns a JSON string: status, outcome, what was paid, and the
 * start of the body. Every refusal comes back as a result, never an exception,
 * so the model can read why and choose again. The price ceiling is the lower
 * of the operator's (`defaults.maxPriceMsat`) and the model's `maxPriceMsat`:
 * the model can only lower it. A refusal on price, policy or budget says so
 * without the limit it hit, so the model learns no number to bid up to.
 *
 * @example
 * const agent = createAgent({ model, tools: [l402FetchTool(client, { taskValueMsat: 50_000 })] });
 */
export function l402FetchTool(client: L402Client, defaults: PurchaseHints = {}) {
  return tool(
    async ({ url, method, body, maxPriceMsat }) => {
      const init: RequestInit = { method };
      if (body !== undefined && method !== 'GET') {
        init.body = body;
        init.headers = { 'content-type': looksLikeJson(body) ? 'application/json' : 'text/plain' };
      }
      const ceilings = [defaults.maxPriceMsat, maxPriceMsat].filter((v): v is number => v !== undefined);
      const r = await client.purchase(url, init, {
        ...defaults,
        ...(ceilings.length ? { maxPriceMsat: Math.min(...ceilings) } : {}),
      });
      let text: string | undefined;
      if (r.response) {
        try {
          text = await r.response.text();
        } catch (err) {
          text = `(body unreadable: ${(err as Error).message})`;
        }
      }
      return JSON.stringify({
        status: r.status ?? null,
        outcome: r.outcome,
        ...(r.reason ? { reason: reasonForModel(r) } : {}),
        paidMsat: r.paidMsat,
        feeMsat: r.feeMsat,
        tokenReused: r.tokenReused,
        body: text === undefined ? null : text.slice(0, BODY_PREVIEW),
        ...(text !== undefined && text.length > BODY_PREVIEW ? { truncated: true } : {}),
      });
    },
    {
      name: 'l402_fetch',
      description:
        'Fetch an HTTP API that may require payment (HTTP 402, L402 over Lightning). Pays the invoice if ' +
        'allowed by the payment policy and the price limit, then returns the response.',
      schema: l402FetchSchema,
    },
  );
}

/** Refusals that come from the buyer's own limits: their reasons name the limit, which the model must not see. */
const LIMIT_OUTCOMES = new Set(['policy_denied', 'over_budget', 'escalated']);

/** The reason shown to the model: the buyer's limits are never quoted. */
function reasonForModel(r: PurchaseResult): string | undefined {
  const overLimit =
    LIMIT_OUTCOMES.has(r.outcome) ||
    (r.outcome === 'invoice_rejected' && r.rejection === 'over_quoted_price');
  if (!overLimit) return r.reason;
  const asked = r.quotedMsat !== undefined ? `the seller asks ${r.quotedMsat} msat, ` : '';
  return `refused (${r.outcome}): ${asked}more than this agent may pay for this call`;
}

function looksLikeJson(s: string): boolean {
  const t = s.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}
