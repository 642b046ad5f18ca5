import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** The policy benchmark's market with 15% per-hop failures and a second, untouched group (`control`, allow_all). */
function twoGroups(treatment: Record<string, unknown>) {
  return loadScenario('policy-benchmark', {
    overrides: {
      'network.payments.hopFailureProbability': 0.15,
      'buyers[1]': {
        name: 'control',
        count: 6,
        decider: { name: 'random' },
        policy: { name: 'allow_all' },
        budgetMsat: 500_000,
        arrivals: { process: 'poisson', ratePerMin: 3 },
        tasks: [
          {
            capability: 'anomalies:read',
            calls: 2,
            value: { dist: 'uniform', minMsat: 4000, maxMsat: 30000 },
          },
        ],
      },
      'buyers[0].policy': treatment,
    },
    checks: scenarioChecks,
  });
}

/** What a group saw: its funnel, money and latency (everything but the latency CDF, whose points these fix). */
async function control(treatment: Record<string, unknown>) {
  const { summary } = await runScenario(twoGroups(treatment), { seed: 1 });
  const { latencyCdf: _cdf, ...group } = summary.groups['control']!;
  return { group, treated: summary.groups['agents']!.paymentsSucceeded };
}

describe('policy benchmark: one group’s policy leaves another group’s network draws alone', () => {
  it('the control group pays, succeeds and waits exactly the same whichever policy the other group runs', async () => {
    const open = await control({ name: 'allow_all' });
    const capped = await control({ name: 'max_per_request', params: { maxMsat: 4000 } });
    expect(capped.treated).not.toBe(open.treated); // the treatment changed the other group's market
    expect(capped.group).toEqual(open.group);
    expect(open.group.paymentsSucceeded).toBe(100);
    expect(open.group.paymentsAttempted).toBe(185);
  });
});
