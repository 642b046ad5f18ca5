import { describe, expect, it } from 'vitest';
import {
  allOf,
  budgetWindow,
  createPolicy,
  type Decision,
  type PaymentPolicy,
} from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';
import { LabError } from '../../infra/errors.js';

describe('all_of', () => {
  it('the first deny wins and the budgets reserved before it are released', async () => {
    const clock = new VirtualClock();
    const budget = budgetWindow({ limitMsat: 11_000 }, { clock });
    const policy = allOf([
      budget,
      createPolicy({ name: 'denylist', params: { services: ['data'] } }, { clock }),
    ]);
    const d = await policy.authorize(offer(), { nowMs: clock.now() });
    expect(d).toMatchObject({ kind: 'deny', policy: 'denylist' });
    // The budget's hold was released, so the budget alone still allows one purchase.
    expect((await budget.authorize(offer(), { nowMs: clock.now() })).kind).toBe('allow');
  });

  it('a deny after an escalation still denies; an escalation alone escalates', async () => {
    const clock = new VirtualClock();
    const esc = { name: 'escalate_above', params: { thresholdMsat: 1 } };
    const deny = { name: 'max_per_request', params: { maxMsat: 1 } };
    const a = createPolicy({ name: 'all_of', params: { policies: [esc, deny] } }, { clock });
    const b = createPolicy({ name: 'all_of', params: { policies: [esc] } }, { clock });
    expect((await a.authorize(offer(), { nowMs: 0 })).kind).toBe('deny');
    expect((await b.authorize(offer(), { nowMs: 0 })).kind).toBe('escalate');
  });

  it('settling the composite settles every budget inside it', async () => {
    const clock = new VirtualClock();
    const day = budgetWindow({ limitMsat: 30_000, windowMs: 86_400_000 }, { clock });
    const total = budgetWindow({ limitMsat: 20_000 }, { clock });
    const policy = allOf([day, total]);
    const d = (await policy.authorize(offer(), { nowMs: 0 })) as Decision & { kind: 'allow' };
    policy.settle(d.reservation, 10_500);
    // 10,500 spent in both budgets: another 11,000 hold fits the day budget but not the total.
    expect(await policy.authorize(offer(), { nowMs: 0 })).toMatchObject({
      kind: 'deny',
      outcome: 'over_budget',
    });
  });

  it('an async part keeps reservations consistent when a later part denies', async () => {
    const clock = new VirtualClock();
    const budget = budgetWindow({ limitMsat: 11_000 }, { clock });
    const slowDeny: PaymentPolicy = {
      name: 'slow',
      authorize: async () => ({ kind: 'deny', outcome: 'policy_denied', reason: 'no', policy: 'slow' }),
      settle: () => {},
      release: () => {},
      describe: () => 'slow',
    };
    const policy = allOf([budget, slowDeny]);
    expect((await policy.authorize(offer(), { nowMs: 0 })).kind).toBe('deny');
    expect((await budget.authorize(offer(), { nowMs: 0 })).kind).toBe('allow');
  });
});

describe('policy specs', () => {
  const bad: { name: string; spec: unknown; where: RegExp }[] = [
    { name: 'an unknown policy name is refused', spec: { name: 'yolo', params: {} }, where: /name/ },
    {
      name: 'a fractional msat amount is refused',
      spec: { name: 'max_per_request', params: { maxMsat: 1.5 } },
      where: /params\.maxMsat/,
    },
    {
      name: 'a negative budget is refused',
      spec: { name: 'budget_window', params: { limitMsat: -1 } },
      where: /params\.limitMsat/,
    },
    {
      name: 'an unknown parameter is refused rather than ignored',
      spec: { name: 'max_per_request', params: { maxMsat: 1, maxSat: 1 } },
      where: /params/,
    },
    {
      name: 'a bad policy nested in all_of is located',
      spec: {
        name: 'all_of',
        params: { policies: [{ name: 'budget_window', params: { limitMsat: 'lots' } }] },
      },
      where: /params\.policies\[0\]\.params\.limitMsat/,
    },
  ];
  it.each(bad)('$name', ({ spec, where }) => {
    let err: unknown;
    try {
      createPolicy(spec, { clock: new VirtualClock() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('invalid_policy_spec');
    expect((err as LabError).message).toMatch(where);
  });
});
