import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecider } from '../../agents/buyer/index.js';
import type { OfferTerms } from '../../agents/buyer/types.js';
import { chatModelFromEnv, DEFAULT_MODEL_TIMEOUT_MS } from '../../infra/llm/chat-openai.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import type { Listing } from '../../services/registry/types.js';
import { startFakeOpenAi } from './support/fake-openai.js';

const KEY = 'sk-lab-secret-0123456789';

function offer(name: string, priceMsat: number): OfferTerms {
  const listing: Listing = {
    id: `id-${name}`,
    name,
    url: `http://${name}.test/v1/data`,
    category: 'data',
    capabilities: ['data'],
    tiers: [{ tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat }],
    nodePubkey: `02${'11'.repeat(32)}`,
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
  return { listing, source: 'challenge', priceMsat, covers: 1, valueMsat: 5_000 };
}

const offers = [offer('fair', 4_000), offer('other', 4_500)];
const task = { id: 't1', capability: 'data', valueMsat: 5_000, calls: 1 };
const FELL_BACK = '; fell back to the cheapest acceptable offer';

describe('the LLM decider on the real ChatOpenAI client against a local imitation of the OpenAI API', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: 'silent' });
  });
  afterAll(() => fake.close());

  /** One choice by a decider built from env (timeout 300 ms), and how long it took in wall time. */
  async function choose() {
    const env = {
      OPENAI_API_KEY: KEY,
      OPENAI_MODEL: 'lab-model',
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_TIMEOUT_MS: '300',
    };
    const decider = createDecider('llm', { clock: new VirtualClock(), env });
    const before = fake.state.requests;
    const t0 = performance.now();
    const c = await decider.choose(offers, task);
    return { c, ms: performance.now() - t0, requests: fake.state.requests - before };
  }

  it('a server that never answers: the call ends at OPENAI_TIMEOUT_MS (300 ms) and the decider falls back to the cheapest offer', async () => {
    fake.state.mode = { kind: 'silent' };
    const { c, ms } = await choose();
    expect(c).toMatchObject({
      index: 0,
      reason: `the model call failed (no answer from the model within 300 ms)${FELL_BACK}`,
      record: { fallback: true, chosen: 'id-fair' },
    });
    expect(ms).toBeLessThan(2_000);
  });

  it('a reply dripped a byte at a time after its headers: cut at the same 300 ms, with the reason saying so', async () => {
    fake.state.mode = { kind: 'drip' };
    const { c, ms } = await choose();
    expect(c.reason).toBe(
      `the model call failed (the model's reply did not arrive in full within 300 ms)${FELL_BACK}`,
    );
    expect(ms).toBeLessThan(2_000);
  });

  it('a 1 MiB reply is cancelled at 262,144 bytes (256 KiB) and is no answer', async () => {
    fake.state.mode = { kind: 'bytes', size: 1024 * 1024 };
    const { c } = await choose();
    expect(c.reason).toBe(`the model call failed (the model's reply is over 262144 bytes)${FELL_BACK}`);
  });

  it('a 500 is one request (no retry) and a fallback naming the error class and status, not its text', async () => {
    fake.state.mode = { kind: 'status', code: 500, message: 'upstream exploded' };
    const { c, requests } = await choose();
    expect(requests).toBe(1);
    expect(c.reason).toBe(`the model call failed (InternalServerError, HTTP 500)${FELL_BACK}`);
  });

  it('a 429 is a fallback naming RateLimitError', async () => {
    fake.state.mode = { kind: 'status', code: 429 };
    expect((await choose()).c.reason).toBe(`the model call failed (RateLimitError, HTTP 429)${FELL_BACK}`);
  });

  it('a 401 whose body echoes the Authorization header does not carry the key into the decision', async () => {
    fake.state.mode = { kind: 'echo_auth' };
    const { c } = await choose();
    expect(c.reason).toBe(`the model call failed (AuthenticationError, HTTP 401)${FELL_BACK}`);
    expect(JSON.stringify(c)).not.toContain(KEY);
  });

  it('a 200 whose body is not JSON is a fallback naming SyntaxError', async () => {
    fake.state.mode = { kind: 'not_json' };
    expect((await choose()).c.reason).toBe(`the model call failed (SyntaxError)${FELL_BACK}`);
  });

  it('an 8 KiB reason is an invalid answer, not a decision reason 8 KiB long', async () => {
    fake.state.mode = {
      kind: 'tool',
      name: 'choose_offer',
      args: { offerId: 'offer-2', reason: 'R'.repeat(8192) },
    };
    expect((await choose()).c.reason).toBe(
      `llm gave a choose_offer call with invalid arguments (reason: expected at most 500 characters)${FELL_BACK}`,
    );
  });
});

describe('chatModelFromEnv: the one builder of a ChatOpenAI with limits', () => {
  const cap = { maxTokens: 256 };

  it('defaults to a 30 s timeout and no retry', () => {
    const m = chatModelFromEnv({ OPENAI_API_KEY: KEY }, 'the llm decider', cap);
    expect([
      m.timeout,
      (m.caller as unknown as { maxRetries: number }).maxRetries,
      DEFAULT_MODEL_TIMEOUT_MS,
    ]).toEqual([30_000, 0, 30_000]);
  });

  it('takes OPENAI_TIMEOUT_MS, capped by maxTimeoutMs', () => {
    const env = { OPENAI_API_KEY: KEY, OPENAI_TIMEOUT_MS: '60000' };
    expect(chatModelFromEnv(env, 'x', cap).timeout).toBe(60_000);
    expect(chatModelFromEnv(env, 'x', { ...cap, maxTimeoutMs: 20_000 }).timeout).toBe(20_000);
  });

  it('refuses a token cap that is not a positive integer (-1 would be sent as no cap at all)', () => {
    const env = { OPENAI_API_KEY: KEY };
    expect(() => chatModelFromEnv(env, 'the llm decider', { maxTokens: -1 })).toThrow(
      new RangeError('the llm decider: maxTokens must be a positive integer, got -1'),
    );
    expect(chatModelFromEnv(env, 'x', cap).maxTokens).toBe(256);
  });

  it('names the component that needs the key when it is missing', () => {
    expect(() => chatModelFromEnv({}, 'the llm buyer negotiator', cap)).toThrow(
      'the llm buyer negotiator needs OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL for any OpenAI-compatible server, OPENAI_TIMEOUT_MS)',
    );
  });

  it('refuses a key of only whitespace as missing_api_key, saying so', () => {
    expect(() => chatModelFromEnv({ OPENAI_API_KEY: ' \t ' }, 'the llm-summary seller', cap)).toThrow(
      expect.objectContaining({
        code: 'missing_api_key',
        message:
          'the llm-summary seller got an OPENAI_API_KEY of only whitespace; it needs OPENAI_API_KEY (and optionally OPENAI_MODEL, OPENAI_BASE_URL for any OpenAI-compatible server, OPENAI_TIMEOUT_MS)',
      }),
    );
  });

  it('refuses an OPENAI_TIMEOUT_MS that is not a whole number of ms, or is above 10 minutes, naming the variable, the bound and the value', () => {
    const refusal = (raw: string) => {
      try {
        chatModelFromEnv({ OPENAI_API_KEY: KEY, OPENAI_TIMEOUT_MS: raw }, 'the llm decider', cap);
      } catch (err) {
        return err;
      }
      return 'accepted';
    };
    const message = (raw: string) =>
      `the llm decider: OPENAI_TIMEOUT_MS must be a whole number of ms from 1 to 600000 (10 minutes), got "${raw}"`;
    for (const raw of ['30s', '0', '600001', '60000000'])
      expect(refusal(raw)).toMatchObject({ code: 'invalid_model_env', message: message(raw) });
    expect(chatModelFromEnv({ OPENAI_API_KEY: KEY, OPENAI_TIMEOUT_MS: '600000' }, 'x', cap).timeout).toBe(
      600_000,
    );
  });
});
