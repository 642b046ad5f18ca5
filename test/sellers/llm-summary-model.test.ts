import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { llmSummary } from '../../services/sellers/llm-summary.js';
import { createSummarizer, MAX_SUMMARY_CHARS } from '../../services/sellers/summarizer.js';
import { startFakeOpenAi } from '../security/support/fake-openai.js';

const KEY = 'sk-lab-secret-0123456789';
const text = 'The market opened. Prices rose. Buyers paid.';

describe('the llm-summary seller on the real ChatOpenAI client against a local imitation of the OpenAI API', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: 'silent' });
  });
  afterAll(() => fake.close());

  /** The archetype's route over a summarizer built from env (300 ms timeout), and what it logged. */
  async function seller() {
    const env = { OPENAI_API_KEY: KEY, OPENAI_MODEL: 'lab-model', OPENAI_BASE_URL: fake.baseUrl };
    const summarizer = await createSummarizer(env, { timeoutMs: 300 });
    const logs: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(line) });
    const archetype = llmSummary({ clock: systemClock, rng: createRng(1), quality: 1, summarizer, logger });
    const app = new Hono().post('/v1/summarize', (c) => archetype.handle(c));
    const before = fake.state.requests;
    const t0 = performance.now();
    const res = await app.request('/v1/summarize', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, maxSentences: 2 }),
    });
    const body = await res.text();
    return { res, body, logs, ms: performance.now() - t0, requests: fake.state.requests - before };
  }

  const unavailable = JSON.stringify({ error: 'model_unavailable', message: 'model provider unavailable' });

  it('a 500 is one request (no retry) and a 502 with a fixed message', async () => {
    fake.state.mode = { kind: 'status', code: 500 };
    const r = await seller();
    expect([r.res.status, r.body, r.requests]).toEqual([502, unavailable, 1]);
  });

  it('a 401 echoing the key: the buyer gets the fixed message, the local log names the error with no key in it', async () => {
    fake.state.mode = { kind: 'echo_auth' };
    const r = await seller();
    expect([r.res.status, r.body]).toEqual([502, unavailable]);
    expect(r.logs).toHaveLength(1);
    expect(JSON.parse(r.logs[0]!)).toMatchObject({
      msg: 'summarizer failed',
      error: 'AuthenticationError, HTTP 401',
      detail: expect.stringMatching(/^401 invalid key: Bearer \[redacted\]\n/),
    });
    expect(r.logs[0]).not.toContain(KEY);
  });

  it('a model that never answers: 502 after the 300 ms timeout', async () => {
    fake.state.mode = { kind: 'silent' };
    const r = await seller();
    expect([r.res.status, r.body]).toEqual([502, unavailable]);
    expect(r.ms).toBeLessThan(2_000);
  });

  it('a 1 MiB reply is cut at 256 KiB: 502, nothing delivered', async () => {
    fake.state.mode = { kind: 'text', content: 'S'.repeat(1024 * 1024) };
    const r = await seller();
    expect([r.res.status, r.body]).toEqual([502, unavailable]);
  });

  it('a reply with no text is a 502 (the paywall gives the call back), not an empty summary', async () => {
    fake.state.mode = { kind: 'text', content: '  ' };
    const r = await seller();
    expect([r.res.status, r.body]).toEqual([502, unavailable]);
  });

  it(`a 5,000-character summary is delivered cut to ${MAX_SUMMARY_CHARS} characters ending in an ellipsis`, async () => {
    fake.state.mode = { kind: 'text', content: 'S'.repeat(5_000) };
    const r = await seller();
    expect(r.res.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({
      summary: `${'S'.repeat(3_999)}…`,
      model: 'lab-model',
      maxSentences: 2,
    });
  });
});

describe('createSummarizer limits', () => {
  it('refuses a key of only whitespace, naming the llm-summary seller', async () => {
    await expect(createSummarizer({ OPENAI_API_KEY: '   ' })).rejects.toMatchObject({
      code: 'missing_api_key',
      message: expect.stringMatching(/^the llm-summary seller got an OPENAI_API_KEY of only whitespace/),
    });
  });
});
