import { policySpecSchema } from '../../agents/policies/index.js';
import type { ScenarioCheck } from '../scenario/load.js';
import { checkBackend, type Backend } from '../scenario/backend-checks.js';
import { formatPath, scenarioErrorMap, type ScenarioIssue } from '../scenario/errors.js';

/**
 * Scenario checks that need the agents layer: every payment policy must be
 * one the agents can build, with valid parameters. Paths point into the file
 * (`buyers[0].policy.params.maxMsat: …`), messages worded as the scenario's own
 * (`scenarioErrorMap`: an unknown parameter names the nearest one).
 */
export const checkPolicies: ScenarioCheck = (s) => {
  const issues: ScenarioIssue[] = [];
  const check = (spec: unknown, at: string) => {
    const r = policySpecSchema.safeParse(spec, { error: scenarioErrorMap });
    if (!r.success)
      for (const i of r.error.issues) {
        const rest = formatPath(i.path);
        issues.push({
          path: rest ? `${at}${rest.startsWith('[') ? '' : '.'}${rest}` : at,
          message: i.message,
        });
      }
  };
  // Also called on documents that failed the schema: guard every step.
  const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
  list(s.buyers).forEach((b, i) => {
    if (b && typeof b === 'object' && 'policy' in b) check(b.policy, `buyers[${i}].policy`);
  });
  list(s.sellers).forEach((g, i) => {
    if (g && typeof g === 'object' && 'policy' in g && g.policy !== undefined)
      check(g.policy, `sellers[${i}].policy`);
  });
  return issues;
};

/** Every check the simulator runs before a scenario starts on `backend`. */
export function checksFor(backend: Backend): ScenarioCheck[] {
  return [checkPolicies, (s) => checkBackend(s, backend)];
}

/** The checks for the default backend (embedded): sweeps and `sim validate` without --backend. */
export const scenarioChecks: ScenarioCheck[] = checksFor('embedded');
