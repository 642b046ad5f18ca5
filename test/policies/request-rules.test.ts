import { describe, expect, it } from 'vitest';
import { createPolicy, type Decision } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';

const clock = new VirtualClock();
const ctx = { nowMs: clock.now() };

function verdict(d: Decision): string {
  return d.kind === 'deny' ? `deny:${d.outcome}` : d.kind;
}

describe('per-request rules', () => {
  const cases: {
    name: string;
    spec: unknown;
    q: Partial<Parameters<typeof offer>[0]>;
    c?: object;
    want: string;
  }[] = [
    {
      name: 'a price at the per-request maximum is allowed',
      spec: { name: 'max_per_request', params: { maxMsat: 10_000 } },
      q: { amountMsat: 10_000 },
      want: 'allow',
    },
    {
      name: 'a price one msat above the per-request maximum is denied',
      spec: { name: 'max_per_request', params: { maxMsat: 10_000 } },
      q: { amountMsat: 10_001 },
      want: 'deny:policy_denied',
    },
    {
      name: 'the fee ceiling counts when includeFee is set',
      spec: { name: 'max_per_request', params: { maxMsat: 10_500, includeFee: true } },
      q: { amountMsat: 10_000, maxFeeMsat: 1_000 },
      want: 'deny:policy_denied',
    },
    {
      name: 'a price above the escalation threshold is escalated',
      spec: { name: 'escalate_above', params: { thresholdMsat: 5_000 } },
      q: { amountMsat: 5_001 },
      want: 'escalate',
    },
    {
      name: 'a task worth more than price plus fee limit is paid',
      spec: { name: 'value_based' },
      q: { amountMsat: 10_000, maxFeeMsat: 100 },
      c: { taskValueMsat: 10_101 },
      want: 'allow',
    },
    {
      name: 'a task worth exactly price plus fee limit is not paid',
      spec: { name: 'value_based' },
      q: { amountMsat: 10_000, maxFeeMsat: 100 },
      c: { taskValueMsat: 10_100 },
      want: 'deny:policy_denied',
    },
    {
      name: 'the whole fee limit counts, not a smaller expected fee',
      spec: { name: 'value_based' },
      q: { amountMsat: 10_000, maxFeeMsat: 1_000 },
      c: { taskValueMsat: 10_500, expectedFeeMsat: 100 },
      want: 'deny:policy_denied',
    },
    {
      name: 'a margin in ppm of the price raises the bar',
      spec: { name: 'value_based', params: { marginPpm: 100_000 } },
      q: { amountMsat: 10_000, maxFeeMsat: 100 },
      c: { taskValueMsat: 11_050 },
      want: 'deny:policy_denied',
    },
    {
      name: 'a task of unknown value is denied by default',
      spec: { name: 'value_based' },
      q: {},
      want: 'deny:policy_denied',
    },
    {
      name: 'a task of unknown value escalates when configured so',
      spec: { name: 'value_based', params: { whenUnknown: 'escalate' } },
      q: {},
      want: 'escalate',
    },
  ];
  it.each(cases)('$name', async ({ spec, q, c, want }) => {
    const policy = createPolicy(spec, { clock });
    expect(verdict(await policy.authorize(offer(q), { ...ctx, ...c }))).toBe(want);
  });

  it('a value_based denial names the fee limit and the calls the value covers', async () => {
    const policy = createPolicy({ name: 'value_based', params: { marginPpm: 100_000 } }, { clock });
    const q = offer({ amountMsat: 6_000, maxFeeMsat: 1_000 });
    const covered = await policy.authorize(q, { ...ctx, taskValueMsat: 7_397, callsCovered: 10 });
    expect(covered.kind === 'deny' && covered.reason).toBe(
      'value_based: value of the 10 calls it covers 7397 msat does not exceed ' +
        'price 6000 + fee limit 1000 + margin 600 = 7600 msat',
    );
    const one = await policy.authorize(q, { ...ctx, taskValueMsat: 7_397, callsCovered: 1 });
    expect(one.kind === 'deny' && one.reason).toMatch(
      /^value_based: value of the 1 call it covers 7397 msat/,
    );
    const whole = await policy.authorize(q, { ...ctx, taskValueMsat: 7_397 });
    expect(whole.kind === 'deny' && whole.reason).toMatch(/^value_based: task value 7397 msat does not/);
  });

  it('a denial names the rule and the numbers', async () => {
    const policy = createPolicy({ name: 'max_per_request', params: { maxMsat: 9_999 } }, { clock });
    const d = await policy.authorize(offer(), ctx);
    expect(d).toMatchObject({ kind: 'deny', policy: 'max_per_request' });
    expect(d.kind === 'deny' && d.reason).toMatch(/10000 msat is above .* 9999 msat/);
  });
});

describe('allow and deny lists', () => {
  const payee = '02' + 'ab'.repeat(32);
  const cases: { name: string; spec: unknown; q: object; want: string }[] = [
    {
      name: 'an allowlisted service is allowed',
      spec: { name: 'allowlist', params: { services: ['data'] } },
      q: {},
      want: 'allow',
    },
    {
      name: 'a service missing from the allowlist is denied',
      spec: { name: 'allowlist', params: { services: ['other'] } },
      q: {},
      want: 'deny:policy_denied',
    },
    {
      name: 'an unknown service is not on an allowlist of services',
      spec: { name: 'allowlist', params: { services: ['data'] } },
      q: { service: undefined },
      want: 'deny:policy_denied',
    },
    {
      name: 'every dimension of an allowlist must match',
      spec: { name: 'allowlist', params: { services: ['data'], hosts: ['elsewhere.test'] } },
      q: {},
      want: 'deny:policy_denied',
    },
    {
      name: 'hosts and payees compare without case',
      spec: { name: 'allowlist', params: { hosts: ['SELLER.test'], payees: [payee.toUpperCase()] } },
      q: {},
      want: 'allow',
    },
    {
      name: 'a denylisted payee is denied',
      spec: { name: 'denylist', params: { payees: [payee] } },
      q: {},
      want: 'deny:policy_denied',
    },
    {
      name: 'a denylisted category is denied',
      spec: { name: 'denylist', params: { categories: ['feeds'] } },
      q: {},
      want: 'deny:policy_denied',
    },
    {
      name: 'a seller matching nothing on the denylist is allowed',
      spec: { name: 'denylist', params: { hosts: ['evil.test'], services: ['scam'] } },
      q: {},
      want: 'allow',
    },
  ];
  it.each(cases)('$name', async ({ spec, q, want }) => {
    const policy = createPolicy(spec, { clock });
    expect(verdict(await policy.authorize(offer(q), ctx))).toBe(want);
  });
});
