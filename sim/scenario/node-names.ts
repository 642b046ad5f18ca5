import { parseSimLnNetwork, simLnNodeNames, type SimLnNetwork } from '../../infra/lightning/simnet/index.js';
import { isLabError } from '../../infra/errors.js';
import { networkFileText } from './network-file.js';
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

/** The name of a group's member `k`: `shopper-0`. */
export function memberName(group: string, k: number): string {
  return `${group}-${k}`;
}

/** Names of a group's members: `shopper-0`, `shopper-1`, … */
export function instanceNames(group: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => memberName(group, i));
}

/** Names of the routing nodes the topology creates. */
export function routerNames(s: Scenario): string[] {
  const t = s.network.topology;
  const n = t.kind === 'hub_and_spoke' ? t.hubs : t.routers;
  return instanceNames('router', n);
}

/**
 * A `network.file` of SimLN sim_network JSON, read as the run reads it (relative to the working
 * directory); undefined when the file does not read as one: a regtest network.json, or a file the
 * run refuses with its own message when it reads it (one that cannot be used is named by `checkFiles`).
 */
export function readNetworkFile(path: string): SimLnNetwork | undefined {
  const read = networkFileText(path);
  if (!('text' in read)) return undefined;
  try {
    return parseSimLnNetwork(read.text);
  } catch (err) {
    if (isLabError(err, 'invalid_topology')) return undefined;
    throw err;
  }
}

/** The names of the nodes a SimLN `network.file` makes on the embedded network (its routers); undefined as `readNetworkFile`. */
export function networkFileNodeNames(path: string): string[] | undefined {
  const network = readNetworkFile(path);
  return network && simLnNodeNames(network);
}

/** The routing nodes' names: a SimLN `network.file`'s nodes when it has one, else `router-<n>`. */
export function routingNodeNames(s: Scenario): string[] {
  const file = s.network.file;
  return (file !== undefined ? networkFileNodeNames(file) : undefined) ?? routerNames(s);
}

/** The group whose members are the sub-agents of one reseller instance: `broker-0-sub`. */
function subAgentGroup(reseller: string): string {
  return `${reseller}-sub`;
}

/** Names of the sub-agents of one reseller instance: `broker-0-sub-0`, … */
export function subAgentNames(reseller: string, count: number): string[] {
  return instanceNames(subAgentGroup(reseller), count);
}

/** The node a wrong-payee seller invoices from. */
export function shadowName(seller: string): string {
  return `${seller}-shadow`;
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
  const names = file === undefined ? routerNames(s) : (networkFileNodeNames(file) ?? []);
  const claim =
    file === undefined
      ? { what: 'a routing node', fix: RENAME }
      : { what: `a node of network.file ${file}`, fix: `${RENAME}, or that node's alias in ${file}` };
  return new Map(names.map((n) => [n, claim]));
}

/**
 * Group names are unique across sellers, buyers and resellers, and no node a
 * group makes has the name of another node (a router, another group's
 * member, shadow node or sub-agent). Each clash is reported once, at the
 * name of the later group. Names are made one at a time into one map, one
 * claim object per group and kind of node: a market at the size limit
 * (limits.ts) is checked in well under a second.
 */
export function checkNames(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const groups = new Map<string, string>();
  const nodes = routerClaims(s);
  for (const kind of ['sellers', 'buyers', 'resellers'] as const)
    s[kind].forEach((g, i) => {
      const path = `${kind}[${i}].name`;
      const prior = groups.get(g.name);
      if (prior) issues.push({ path, message: `name "${g.name}" is already used by ${prior}` });
      else {
        groups.set(g.name, `${kind}[${i}]`);
        const clash = claimGroup(nodes, s, kind, i);
        if (clash) {
          const message = `name "${g.name}" makes node ${clash.name}, which is the name of ${clash.what}; ${clash.fix}`;
          issues.push({ path, message });
        }
      }
    });
  return issues;
}

/**
 * Claims every node of one group in `nodes` (its members, their shadow nodes
 * and sub-agents, in that order); the first of them already taken, with what
 * took it, or undefined.
 */
function claimGroup(
  nodes: Map<string, Claim>,
  s: Scenario,
  kind: 'sellers' | 'buyers' | 'resellers',
  i: number,
): (Claim & { name: string }) | undefined {
  const g = s[kind][i]!;
  const at = `${kind}[${i}] ("${g.name}")`;
  const member = { what: `a member of ${at}`, fix: RENAME };
  const shadow = { what: `the shadow node of ${at}`, fix: RENAME };
  const sub = { what: `a sub-agent of ${at}`, fix: RENAME };
  const shadows = kind === 'sellers' && s.sellers[i]!.adversarial?.mode === 'wrong-payee';
  const subs = kind === 'resellers' ? s.resellers[i]!.subAgents.count : 0;
  let clash: (Claim & { name: string }) | undefined;
  const claim = (name: string, c: Claim) => {
    const taken = nodes.get(name);
    if (taken === undefined) nodes.set(name, c);
    else clash ??= { name, ...taken };
  };
  for (let k = 0; k < g.count; k++) {
    const name = memberName(g.name, k);
    claim(name, member);
    if (shadows) claim(shadowName(name), shadow);
    for (let j = 0; j < subs; j++) claim(memberName(subAgentGroup(name), j), sub);
  }
  return clash;
}

/**
 * Whether `node` is a member `<group>-<n>` (n below the group's count) of
 * one of `groups`: read from the name, without listing the groups' members.
 */
export function isMember(groups: readonly { name: string; count: number }[], node: string): boolean {
  const m = /^(.+)-(0|[1-9]\d*)$/.exec(node);
  return m !== null && groups.some((g) => g.name === m[1] && Number(m[2]) < g.count);
}
