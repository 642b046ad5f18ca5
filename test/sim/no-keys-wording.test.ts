/**
 * A key given to an object that takes none (allow_all's params) is refused saying the object takes
 * no keys, not with an empty list of allowed ones; and `sim run --help`'s policy-parameter example
 * names a scenario whose policy has that parameter.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import { RUN_HELP } from '../../sim/commands/run-command.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadScenario, resolveScenarioPath, validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides, parseOverrideArgs } from '../../sim/scenario/overrides.js';

/** Every issue `sim run <scenario> --set <arg>` reports, as `path: message`. */
function issues(scenario: string, arg: string): string[] {
  const doc = parse(readFileSync(resolveScenarioPath(scenario), 'utf8')) as unknown;
  const v = validateScenario(applyOverrides(doc, parseOverrideArgs([arg])), scenarioChecks);
  return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('a key for an object that takes none', () => {
  it("refuses maxMsat on policy-benchmark's allow_all saying its params take no keys", () => {
    expect(issues('policy-benchmark', 'buyers[0].policy.params.maxMsat=5000')).toEqual([
      'buyers[0].policy.params: unknown key "maxMsat": this object takes no keys; remove it',
    ]);
  });

  it('names every key given to an empty strict object and says to remove them', () => {
    const r = z.strictObject({ params: z.strictObject({}) }).safeParse(
      { params: { a: 1, b: 2 } },
      {
        error: plainErrorMap,
      },
    );
    expect(describeIssues(r.error!.issues)).toBe(
      'params: unknown keys "a", "b": this object takes no keys; remove them',
    );
  });
});

describe("sim run --help's policy-parameter example", () => {
  const example = /sim run (\S+) --set '([^']+)'/.exec(RUN_HELP);

  it("names quickstart and buyers[0].policy.params.maxMsat=5000, which quickstart's max_per_request takes", () => {
    expect(example?.slice(1)).toEqual(['quickstart', 'buyers[0].policy.params.maxMsat=5000']);
    const s = loadScenario(example![1]!, {
      overrides: parseOverrideArgs([example![2]!]),
      checks: scenarioChecks,
    });
    expect(s.buyers[0]!.policy).toEqual({ name: 'max_per_request', params: { maxMsat: 5000 } });
  });
});
