import type { AgentView, GroupView, Phase } from './snapshot.js';
import { PHASES } from './snapshot.js';

/** An agent as the live state tracks it: its view plus tasks running and when it last acted. */
export interface LiveAgent extends AgentView {
  active: number;
  /** Sequence number of the last event about it (most recent first on the page). */
  seen: number;
}

/**
 * Folds every agent into what the page shows: purchases at each step, one
 * row per group (everyone), and the `max` most recently active agents by name.
 */
export function agentViews(
  all: Iterable<LiveAgent>,
  max: number,
): { phases: Record<Phase, number>; groups: GroupView[]; agents: AgentView[] } {
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const groups = new Map<string, GroupView>();
  const list: LiveAgent[] = [];
  for (const a of all) {
    list.push(a);
    if (a.phase !== 'idle') phases[a.phase] += a.active;
    let g = groups.get(a.group);
    if (!g) {
      g = {
        name: a.group,
        role: a.role,
        agents: 0,
        active: 0,
        budgetMsat: 0,
        spentMsat: 0,
        feesMsat: 0,
        tasks: 0,
        done: 0,
      };
      groups.set(a.group, g);
    }
    g.agents++;
    if (a.active > 0) g.active++;
    g.budgetMsat += a.budgetMsat;
    g.spentMsat += a.spentMsat;
    g.feesMsat += a.feesMsat;
    g.tasks += a.tasks;
    g.done += a.done;
  }
  const agents = list
    .sort((x, y) => y.seen - x.seen || (x.name < y.name ? -1 : 1))
    .slice(0, max)
    .map(({ active: _a, seen: _s, ...v }) => v);
  return { phases, groups: [...groups.values()], agents };
}
