import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';

/** Where a scenario runs: the embedded network on virtual time, or real LND nodes on the wall clock. */
export type Backend = 'embedded' | 'regtest';

const WHY =
  'needs a model over a real socket, which the embedded backend cannot wait for (its virtual time would stall the task)';

/** Why `network.invoices: unsigned` cannot run on LND: validation and the regtest world both say it. */
export const UNSIGNED_NEEDS_EMBEDDED =
  'unsigned is for the embedded network only (LND always signs); remove it for --backend regtest';

/** Every check of what a scenario uses against the backend it will run on. */
export function checkBackend(s: Scenario, backend: Backend = 'embedded'): ScenarioIssue[] {
  return [...checkModelsNeedRegtest(s, backend), ...checkInvoicesNeedEmbedded(s, backend)];
}

/**
 * Unsigned invoices exist only on the embedded network: LND signs every
 * invoice, so on the regtest backend the setting is an issue at its field.
 */
export function checkInvoicesNeedEmbedded(s: Scenario, backend: Backend = 'embedded'): ScenarioIssue[] {
  if (backend !== 'regtest') return [];
  // Also called on documents that failed the schema: `network` may be anything.
  const network: unknown = s.network;
  const invoices =
    network && typeof network === 'object' ? (network as { invoices?: unknown }).invoices : undefined;
  return invoices === 'unsigned' ? [{ path: 'network.invoices', message: UNSIGNED_NEEDS_EMBEDDED }] : [];
}

/**
 * LLM deciders and negotiators run only on the regtest backend: on the
 * embedded one a run would stall at the first model call. Each use is an
 * issue at the field to edit, saying what to do instead. Also called on
 * documents that failed the schema, so every step is guarded.
 */
export function checkModelsNeedRegtest(s: Scenario, backend: Backend = 'embedded'): ScenarioIssue[] {
  if (backend === 'regtest') return [];
  const issues: ScenarioIssue[] = [];
  const list = (x: unknown): Record<string, unknown>[] =>
    Array.isArray(x) ? x.filter((g) => g && typeof g === 'object') : [];
  const field = (o: unknown, key: string): unknown =>
    o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  list(s.buyers).forEach((b, i) => {
    if (field(b.decider, 'name') === 'llm')
      issues.push({
        path: `buyers[${i}].decider.name`,
        message: `llm ${WHY}; run it with --backend regtest (and OPENAI_API_KEY), or pick cheapest | best_value | first_acceptable | random | thompson`,
      });
    if (field(b.negotiator, 'name') === 'llm')
      issues.push({
        path: `buyers[${i}].negotiator.name`,
        message: `llm ${WHY}; run it with --backend regtest (and OPENAI_API_KEY), or use rule | none`,
      });
  });
  list(s.sellers).forEach((g, i) => {
    if (field(g.negotiation, 'negotiator') === 'llm')
      issues.push({
        path: `sellers[${i}].negotiation.negotiator`,
        message: `llm ${WHY}; run it with --backend regtest (and OPENAI_API_KEY), or use rule`,
      });
  });
  return issues;
}
