import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Scenario } from './schema.js';
import { groupReach } from './discovery.js';
import { parsePath } from './overrides.js';
import { networkFileText } from './network-file.js';
import type { ScenarioIssue } from './errors.js';
import { nearest } from '../../infra/suggest.js';

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
 * Sellers no search returns, judged by what each search would return
 * (price order, `registry.searchLimit` results, the task's value as the
 * maximum price), not by counting sellers (a warning: a market may mean to
 * be bigger than a search).
 */
export function reachWarnings(s: Scenario): string[] {
  const out: string[] = [];
  for (const r of groupReach(s)) {
    const { group: g, maxFound, limitNeeded, highestMaxMsat, lowestPriceMsat } = r;
    const who = g.count === 1 ? `seller "${g.name}"` : `the ${g.count} "${g.name}" sellers`;
    const some = maxFound === 0 ? 'none' : `at most ${maxFound}`;
    if (highestMaxMsat === undefined)
      out.push(`no buyer asks for "${g.capability}": ${who} will sell nothing`);
    else if (maxFound >= g.count) continue;
    else if (limitNeeded !== undefined)
      out.push(
        `${some} of ${who} (${lowestPriceMsat} msat) can be in a search's results (the ${s.registry.searchLimit} cheapest "${g.capability}" sellers at or under the task's value); set registry.searchLimit: ${limitNeeded} to let buyers see them all`,
      );
    else if (r.firstOnlyPasses)
      out.push(
        `${some} of ${who} (${lowestPriceMsat} msat) can be the first result of a reseller's origin search (the cheapest "${g.capability}" bundle), the only one a reseller buys from, and no buyer's search finds ${g.count === 1 ? 'it' : 'them'}: ${maxFound === 0 ? 'never bought from' : 'the others are never bought from'}`,
      );
    else
      out.push(
        `${who} ${g.count === 1 ? 'lists' : 'list'} "${g.capability}" at ${lowestPriceMsat} msat, above every search's maximum (at most ${highestMaxMsat} msat, the task's value): never found`,
      );
  }
  return out;
}

/** Files a scenario names must exist and be usable: a regular JSON file within the size limit (paths are relative to the working directory). */
export function checkFiles(s: Scenario): ScenarioIssue[] {
  const file = s.network.file;
  if (file === undefined) return [];
  const give = 'give a SimLN sim_network JSON or the network.json of npm run network:up';
  if (!existsSync(resolve(file)))
    return [
      { path: 'network.file', message: `no such file "${file}" (looked in ${resolve(file)}); ${give}` },
    ];
  const read = networkFileText(file);
  return 'problem' in read
    ? [{ path: 'network.file', message: `"${file}" cannot be used: ${read.problem}; ${give}` }]
    : [];
}
