import { ARCHETYPE_CAPABILITY, type Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';

/**
 * Checks that need the whole scenario (cross references, ranges between two
 * fields). Each problem is reported with the path a user would edit.
 */
export function checkScenario(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  const groups = new Map<string, string>();
  const claim = (group: string, path: string) => {
    const prior = groups.get(group);
    if (prior) add(`${path}.name`, `name "${group}" is already used by ${prior}`);
    else groups.set(group, path);
  };
  s.sellers.forEach((g, i) => claim(g.name, `sellers[${i}]`));
  s.buyers.forEach((g, i) => claim(g.name, `buyers[${i}]`));
  s.resellers.forEach((g, i) => claim(g.name, `resellers[${i}]`));

  const capabilityOf = (g: Scenario['sellers'][number]) => ARCHETYPE_CAPABILITY[g.archetype];
  const offered = new Set<string>(s.sellers.map(capabilityOf));
  const offeredList = [...offered].sort().join(', ');
  const needOffered = (cap: string, path: string) => {
    if (!offered.has(cap)) add(path, `no seller offers capability "${cap}" (offered: ${offeredList})`);
  };

  s.sellers.forEach((g, i) => {
    const p = `sellers[${i}]`;
    g.upstream.forEach((u, j) => {
      needOffered(u.capability, `${p}.upstream[${j}].capability`);
      if (u.capability === capabilityOf(g))
        add(`${p}.upstream[${j}].capability`, 'a seller cannot buy from itself');
    });
    if (g.pricing && g.price.kind !== 'fixed')
      add(`${p}.pricing`, `repricing needs a fixed price (price.kind: fixed), got ${g.price.kind}`);
    if (g.pricing && g.price.kind === 'fixed') {
      const floor = g.pricing.floorMsat ?? Math.max(1, g.costMsat);
      const ceiling = g.pricing.ceilingMsat ?? g.price.msat;
      if (floor > ceiling)
        add(
          `${p}.pricing.floorMsat`,
          `expected a floor (${floor} msat) at most the ceiling (${ceiling} msat)`,
        );
    }
    if (g.upstream.length > 0 && g.balanceMsat === 0)
      add(`${p}.balanceMsat`, 'expected a positive balance: this seller buys upstream');
  });

  s.buyers.forEach((g, i) => {
    g.tasks.forEach((t, j) => {
      needOffered(t.capability, `buyers[${i}].tasks[${j}].capability`);
      if (t.value.dist === 'uniform' && t.value.minMsat > t.value.maxMsat)
        add(`buyers[${i}].tasks[${j}].value.minMsat`, `expected at most maxMsat (${t.value.maxMsat})`);
    });
  });

  s.resellers.forEach((g, i) => {
    const p = `resellers[${i}]`;
    needOffered(g.capability, `${p}.capability`);
    const hasBundle = s.sellers.some(
      (x) => capabilityOf(x) === g.capability && x.tiers.some((t) => t.kind === 'bundle'),
    );
    if (offered.has(g.capability) && !hasBundle)
      add(`${p}.capability`, `no seller of "${g.capability}" offers a bundle tier to slice`);
    if (g.subAgents.value.dist === 'uniform' && g.subAgents.value.minMsat > g.subAgents.value.maxMsat)
      add(`${p}.subAgents.value.minMsat`, `expected at most maxMsat (${g.subAgents.value.maxMsat})`);
  });

  const sellerNames = new Set(s.sellers.flatMap((g) => instanceNames(g.name, g.count)));
  const nodeNames = new Set([
    ...sellerNames,
    ...s.buyers.flatMap((g) => instanceNames(g.name, g.count)),
    ...s.resellers.flatMap((g) => instanceNames(g.name, g.count)),
    ...routerNames(s),
  ]);
  s.faults.forEach((f, i) => {
    const p = `faults[${i}]`;
    if (f.atSec > s.durationSec + s.drainSec)
      add(`${p}.atSec`, `expected a time within the run (0..${s.durationSec + s.drainSec} s)`);
    if (f.kind === 'failure_rate') {
      if (!sellerNames.has(f.seller) && !s.sellers.some((g) => g.name === f.seller))
        add(`${p}.seller`, `no seller or seller group named "${f.seller}"`);
    } else if (!nodeNames.has(f.node)) {
      add(`${p}.node`, `no node named "${f.node}" (nodes are named <group>-<n>, routers router-<n>)`);
    }
  });
  return issues;
}

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
