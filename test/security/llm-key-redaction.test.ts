/**
 * A provider's error can echo the API key, in any shape: `401 Invalid API Key: gsk_…` put a Groq,
 * a Google or a 32-hex key whole in the llm-summary seller's log, since redaction knew only
 * `Bearer …`, `sk-…` and `api_key=…`. Every key a model client is built with is now taken out of
 * log text, whole or any run of 8 or more of its characters (the real ChatOpenAI client, a local
 * OpenAI-compatible server).
 */
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmSeller } from '../../agents/negotiation/index.js';
import { chatModelFromEnv, TOOL_CALL_MAX_TOKENS } from '../../infra/llm/chat-openai.js';
import { rememberModelKey } from '../../infra/llm/key-redaction.js';
import { redactSecrets } from '../../infra/llm/model-errors.js';
import { createRng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { llmSummary } from '../../services/sellers/llm-summary.js';
import { createSummarizer } from '../../services/sellers/summarizer.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { startFakeOpenAi } from './support/fake-openai.js';

const GROQ = 'gsk_Q3k9vLm2Xw8ZpR4tYb7N';
const GOOGLE = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
const HEX = '3f9a1c2b7d4e5f60718293a4b5c6d7e8';
const HELP =
  '\n\nTroubleshooting URL: https://docs.langchain.com/oss/javascript/langchain/errors/MODEL_AUTHENTICATION/\n';

/** A pino logger whose lines land in `lines`, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { lines, logger };
}

describe('a model provider echoing the API key in its error', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: 'silent' });
  });
  afterAll(() => fake.close());

  /** What the llm-summary seller logs when the provider answers 401 `message`, its model built with `key`. */
  async function summaryLog(key: string, message: string) {
    fake.state.mode = { kind: 'status', code: 401, message };
    const env = { OPENAI_API_KEY: key, OPENAI_MODEL: 'lab-model', OPENAI_BASE_URL: fake.baseUrl };
    const summarizer = await createSummarizer(env, { timeoutMs: 2_000 });
    const { lines, logger } = capture();
    const archetype = llmSummary({ clock: systemClock, rng: createRng(1), quality: 1, summarizer, logger });
    const app = new Hono().post('/v1/summarize', (c) => archetype.handle(c));
    const res = await app.request('/v1/summarize', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'One. Two.' }),
    });
    expect(res.status).toBe(502);
    return lines;
  }

  it.each([
    ['a Groq key (gsk_…)', GROQ],
    ['a Google key (AIzaSy…)', GOOGLE],
    ['a 32-hex key', HEX],
  ])('the llm-summary seller logs "Invalid API Key: [redacted]" for %s', async (_, key) => {
    expect(await summaryLog(key, `Invalid API Key: ${key}`)).toEqual([
      expect.objectContaining({
        msg: 'summarizer failed',
        error: 'AuthenticationError, HTTP 401',
        detail: `401 Invalid API Key: [redacted]${HELP}`,
      }),
    ]);
  });

  it('the llm-summary seller logs a key cut to 12 characters as [redacted], and its 7-character start as it is', async () => {
    const message = `key ${HEX.slice(0, 12)}… (prefix ${HEX.slice(0, 7)})`;
    const [line] = await summaryLog(HEX, message);
    expect(line!.detail).toBe(`401 key [redacted]… (prefix ${HEX.slice(0, 7)})${HELP}`);
  });

  it("the paywall logs its model negotiator's failure with the echoed key redacted, and the bidder hears a fixed 503 negotiation_unavailable", async () => {
    fake.state.mode = { kind: 'status', code: 401, message: `Invalid API Key: ${GOOGLE}` };
    const env = { OPENAI_API_KEY: GOOGLE, OPENAI_MODEL: 'lab-model', OPENAI_BASE_URL: fake.baseUrl };
    const model = chatModelFromEnv(env, 'the llm seller negotiator', { maxTokens: TOOL_CALL_MAX_TOKENS });
    const { lines, logger } = capture();
    const w = makeWorld();
    const paywall = l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      logger,
      negotiation: { negotiator: llmSeller({ model, floorMsat: 6_000 }) },
    });
    const res = await appWith(paywall).request('/v1/data', { headers: { 'L402-Bid': '5000' } });
    expect([res.status, await res.json()]).toEqual([
      503,
      { error: 'negotiation_unavailable', message: "the seller's negotiator is unavailable" },
    ]);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'seller negotiator failed',
        service: 'weather',
        error: 'AuthenticationError, HTTP 401',
        detail: `401 Invalid API Key: [redacted]${HELP}`,
      }),
      expect.objectContaining({
        msg: "the seller's negotiator is unavailable",
        reason: 'negotiation_unavailable',
      }),
    ]);
  });
});

describe('redactSecrets with a remembered key', () => {
  it('replaces each run of 8 or more of its characters, wherever it stands, and leaves a run of 7', () => {
    rememberModelKey(GOOGLE);
    const text = `a ${GOOGLE.slice(0, 14)} b x${GOOGLE.slice(22)}y ${GOOGLE} ${GOOGLE.slice(5, 12)}`;
    expect(redactSecrets(text)).toBe(`a [redacted] b x[redacted]y [redacted] ${GOOGLE.slice(5, 12)}`);
  });
});
