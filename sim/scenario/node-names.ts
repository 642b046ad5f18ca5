import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';

/**
 * The names of the nodes a scenario makes, as the market names them: group
 * members `<group>-<n>`, routers `router-<n>`, a wrong-payee seller's
 * `<seller>-shadow`, a reseller's sub-agents `<reseller>-sub-<k>`. Every node
 * name must be unique (the network refuses a second node of a name), so a
 * group name that makes another node's name is refused here, before the run.
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
  // With network.file the routers are the file's nodes, named there (not checked here).
  const routers = s.network.file === undefined ? routerNames(s) : [];
  const nodes = new Map<string, string>(routers.map((n) => [n, 'a routing node']));
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
  nodes: Map<string, string>,
  made: readonly NamedNode[],
  path: string,
  group: string,
): ScenarioIssue[] {
  const clash = made.find((n) => nodes.has(n.name));
  for (const n of made) if (!nodes.has(n.name)) nodes.set(n.name, n.what);
  if (!clash) return [];
  const what = nodes.get(clash.name)!;
  const message = `name "${group}" makes node ${clash.name}, which is the name of ${what}; rename the group`;
  return [{ path, message }];
}
