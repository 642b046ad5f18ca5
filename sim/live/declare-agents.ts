import type { Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import { subAgentNames } from '../scenario/node-names.js';
import type { LiveState } from './state.js';

/**
 * The group of a reseller's sub-agents, as their purchase and task records
 * name it (sim/market/resale-sub-agents.ts): `broker sub-agents`.
 */
export function subAgentGroupOf(resellerGroup: string): string {
  return `${resellerGroup} sub-agents`;
}

/**
 * Declares the scenario's buyers and resellers' sub-agents before they act,
 * each with its budget, so idle ones show and every group's budget left is
 * known from the start (undeclared, an agent is tracked with no budget).
 */
export function declareAgents(state: LiveState, scenario: Scenario): void {
  for (const b of scenario.buyers)
    for (const name of instanceNames(b.name, b.count)) state.agent(name, b.name, 'buyer', b.budgetMsat);
  for (const r of scenario.resellers)
    for (const reseller of instanceNames(r.name, r.count))
      for (const name of subAgentNames(reseller, r.subAgents.count))
        state.agent(name, subAgentGroupOf(r.name), 'sub-agent', r.subAgents.budgetMsat);
}
