import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARCHETYPE_CAPABILITY, type Scenario } from './schema.js';
import { parsePath } from './overrides.js';
import type { ScenarioIssue } from './errors.js';
import { nearest } from './suggest.js';

/**
 * Static checks of what a scenario can reach: sweep paths that exist, and
 * sellers a buyer's search can find. Paths are checked against the scenario
 * with its defaults filled in.
 */

/** Every `sweep.grid` path must name something in the scenario; the message suggests the nearest key. */
export function checkSweepPaths(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const path of Object.keys(s.sweep?.grid ?? {})) {
    let segments: (string | number)[];
    try {
      segments = parsePath(path);
    } catch (err) {
      issues.push({ path: `sweep.grid.${path}`, message: (err as Error).message });
      continue;
    }
    let here: unknown = s;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const last = i === segments.length - 1;
      const at = `sweep.grid['${path}']`;
      if (typeof seg === 'number') {
        if (!Array.isArray(here) || seg >= here.length) {
          issues.push({
            path: at,
            message: `index [${seg}] is out of range (${Array.isArray(here) ? here.length : 0} entries)`,
          });
          break;
        }
        here = here[seg];
        continue;
      }
      if (here === null || typeof here !== 'object' || Array.isArray(here)) {
        issues.push({ path: at, message: `"${seg}" is inside a value that has no fields` });
        break;
      }
      const keys = Object.keys(here);
      // A leaf may be a field the file left out (e.g. a policy parameter): only inner segments must exist.
      if (!(seg in here) && !last) {
        const hint = nearest(seg, keys);
        issues.push({
          path: at,
          message: `no field "${seg}" here${hint ? ` (did you mean "${hint}"?)` : ''}; fields: ${keys.sort().join(', ')}`,
        });
        break;
      }
      here = (here as Record<string, unknown>)[seg];
    }
  }
  return issues;
}

/**
 * Sellers no buyer can find: buyers search cheapest first and keep
 * `registry.searchLimit` results, so when more sellers offer a capability
 * the priciest are never seen (a warning: a market may mean to be bigger
 * than a search).
 */
export function reachWarnings(s: Scenario): string[] {
  const out: string[] = [];
  const wanted = new Set<string>([
    ...s.buyers.flatMap((b) => b.tasks.map((t) => t.capability)),
    ...s.sellers.flatMap((g) => g.upstream.map((u) => u.capability)),
  ]);
  const offers = new Map<string, number>();
  for (const g of s.sellers) {
    const cap = ARCHETYPE_CAPABILITY[g.archetype];
    offers.set(cap, (offers.get(cap) ?? 0) + g.count);
  }
  for (const [cap, n] of [...offers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!wanted.has(cap)) out.push(`no buyer asks for "${cap}": its ${n} seller(s) will sell nothing`);
    else if (n > s.registry.searchLimit)
      out.push(
        `${n} sellers offer "${cap}" but a search returns ${s.registry.searchLimit} (cheapest first): the priciest ${n - s.registry.searchLimit} are never found; set registry.searchLimit: ${n} to let buyers see them all`,
      );
  }
  return out;
}

/** Files a scenario names must exist (paths are relative to the working directory). */
export function checkFiles(s: Scenario): ScenarioIssue[] {
  const file = s.network.file;
  if (file === undefined || existsSync(resolve(file))) return [];
  return [
    {
      path: 'network.file',
      message: `no such file "${file}" (looked in ${resolve(file)}); give a SimLN sim_network JSON or the network.json of npm run network:up`,
    },
  ];
}
