import { readFileSync } from 'node:fs';
import { parseSimLnNetwork, simLnNodeNames } from '../../infra/lightning/simnet/index.js';
import { isLabError } from '../../infra/errors.js';
import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';

/**
 * The names of the nodes a scenario makes, as the market names them: group
 * members `<group>-<n>`, routers `router-<n>` (or, with `network.file`, the
 * file's nodes), a wrong-payee seller's `<seller>-shadow`, a reseller's
 * sub-agents `<reseller>-sub-<k>`. Every node name must be unique (the
 * network refuses a second node of a name), so a group name that makes
 * another node's name is refused here, before the run.
 */

/** Names of a group's members: `shopper-0`, `shopper-1`, … */
export function instanceNames(group: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${group}-${i}`);
}

/** Names of the routing nodes the topology creates. */
export function routerNames(s: Scenario): string[] {
  const t = s.network.topology;
  const n = t.kind === 'hub_and_spoke' ? t.hubs : t.routers;
  return instanceNames('router', n);
}

/**
 * The names of the nodes a `network.file` of SimLN sim_network JSON makes on the embedded network
 * (its routers), read as the run reads it (relative to the working directory); undefined when the
 * file does not read as one: a regtest network.json, or a file the run refuses with its own
 * message when it reads it (a missing file is named by `checkFiles`).
 */
export function networkFileNodeNames(path: string): string[] | undefined {
  try {
    return simLnNodeNames(parseSimLnNetwork(readFileSync(path, 'utf8')));
  } catch (err) {
    if (isLabError(err, 'invalid_topology') || (err as NodeJS.ErrnoException).syscall) return undefined;
    throw err;
  }
}

/** The routing nodes' names: a SimLN `network.file`'s nodes when it has one, else `router-<n>`. */
export function routingNodeNames(s: Scenario): string[] {
  const file = s.network.file;
  return (file !== undefined ? networkFileNodeNames(file) : undefined) ?? routerNames(s);
}

/** Names of the sub-agents of one reseller instance: `broker-0-sub-0`, … */
export function subAgentNames(reseller: string, count: number): string[] {
  return instanceNames(`${reseller}-sub`, count);
}

/** The node a wrong-payee seller invoices from. */
export function shadowName(seller: string): string {
  return `${seller}-shadow`;
}

/** A node a group makes, and what it is (for messages: "a sub-agent of resellers[0] (broker)"). */
interface NamedNode {
  name: string;
  what: string;
}

/** What a node already named is, and how a clash with it is resolved. */
interface Claim {
  what: string;
  fix: string;
}

const RENAME = 'rename the group';

/** The routing nodes: `router-<n>`, or the nodes a SimLN `network.file` names (renamed in either place). */
function routerClaims(s: Scenario): Map<string, Claim> {
  const file = s.network.file;
  if (file === undefined)
    return new Map(routerNames(s).map((n) => [n, { what: 'a routing node', fix: RENAME }]));
  const what = `a node of network.file ${file}`;
  const fix = `${RENAME}, or that node's alias in ${file}`;
  return new Map((networkFileNodeNames(file) ?? []).map((n) => [n, { what, fix }]));
}

/** Every node of one group: its members, their shadow nodes and their sub-agents. */
function groupNodes(s: Scenario, kind: 'sellers' | 'buyers' | 'resellers', i: number): NamedNode[] {
  const g = s[kind][i]!;
  const at = `${kind}[${i}] ("${g.name}")`;
  const out: NamedNode[] = [];
  for (const name of instanceNames(g.name, g.count)) {
    out.push({ name, what: `a member of ${at}` });
    if (kind === 'sellers' && s.sellers[i]!.adversarial?.mode === 'wrong-payee')
      out.push({ name: shadowName(name), what: `the shadow node of ${at}` });
    if (kind === 'resellers')
      for (const sub of subAgentNames(name, s.resellers[i]!.subAgents.count))
        out.push({ name: sub, what: `a sub-agent of ${at}` });
  }
  return out;
}

/**
 * Group names are unique across sellers, buyers and resellers, and no node a
 * group makes has the name of another node (a router, another group's
 * member, shadow node or sub-agent). Each clash is reported once, at the
 * name of the later group.
 */
export function checkNames(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const groups = new Map<string, string>();
  const nodes = routerClaims(s);
  for (const kind of ['sellers', 'buyers', 'resellers'] as const)
    s[kind].forEach((g, i) => {
      const prior = groups.get(g.name);
      if (prior)
        issues.push({ path: `${kind}[${i}].name`, message: `name "${g.name}" is already used by ${prior}` });
      else {
        groups.set(g.name, `${kind}[${i}]`);
        issues.push(...claimNodes(nodes, groupNodes(s, kind, i), `${kind}[${i}].name`, g.name));
      }
    });
  return issues;
}

/** Claims a group's nodes in `nodes` (name → what it is); the issue for the first name already taken. */
function claimNodes(
  nodes: Map<string, Claim>,
  made: readonly NamedNode[],
  path: string,
  group: string,
): ScenarioIssue[] {
  const clash = made.find((n) => nodes.has(n.name));
  for (const n of made) if (!nodes.has(n.name)) nodes.set(n.name, { what: n.what, fix: RENAME });
  if (!clash) return [];
  const { what, fix } = nodes.get(clash.name)!;
  const message = `name "${group}" makes node ${clash.name}, which is the name of ${what}; ${fix}`;
  return [{ path, message }];
}
