import { MAX_NODES } from '../scenario/limits.js';
import { mostActive } from './seller-book.js';
import type { AgentView, GroupView, Phase, Snapshot } from './snapshot.js';
import { PHASES } from './snapshot.js';

/** Agent rows a snapshot carries: the most recently active. */
export const MAX_AGENTS = 20;

/** Group rows a snapshot carries, the most active; the rest are counted in `groupsNotShown`. */
export const MAX_GROUPS = 50;

/**
 * Agents the market did not declare that are tracked (a row, counted in their group): sub-agents and
 * resellers, and in a replay any buyer name its files use. No run has more agents than nodes, so a
 * live market loses none; a replay's files are input like any other, so past this many a name is only
 * counted (`agentsNotTracked`), and neither memory nor a snapshot grows with them.
 */
export const MAX_UNDECLARED_AGENTS = MAX_NODES;

/** An agent as the live state tracks it: its view plus tasks running and when it last acted. */
export interface LiveAgent extends AgentView {
  active: number;
  /** Sequence number of the last event about it (most recent first on the page). */
  seen: number;
}

/** The agent parts of a snapshot. */
export type AgentsView = Pick<
  Snapshot,
  'phases' | 'groups' | 'groupsNotShown' | 'agents' | 'agentsNotTracked'
>;

/**
 * The agents as the live state folds them: every declared agent, and up to
 * MAX_UNDECLARED_AGENTS others. The view carries purchases at each step, at
 * most MAX_GROUPS group rows (the most active, in the order first seen) and
 * the MAX_AGENTS most recently active agents, and counts the rest.
 */
export class AgentBook {
  readonly rows = new Map<string, LiveAgent>();
  #undeclared = 0;
  /** Names past MAX_UNDECLARED_AGENTS, only counted. */
  readonly #untracked = new Set<string>();

  /** Declares an agent (a row whatever the limit: the market's own agents are bounded by its scenario). */
  declare(name: string, group: string, role: string, budgetMsat = 0): LiveAgent {
    let a = this.rows.get(name);
    if (!a) {
      a = {
        name,
        group,
        role,
        phase: 'idle',
        budgetMsat,
        spentMsat: 0,
        feesMsat: 0,
        tasks: 0,
        done: 0,
        active: 0,
        seen: 0,
      };
      this.rows.set(name, a);
    }
    return a;
  }

  /** The row of `name`, made while fewer than MAX_UNDECLARED_AGENTS others are tracked; undefined past it. */
  row(name: string, group: string, role: string): LiveAgent | undefined {
    const a = this.rows.get(name);
    if (a) return a;
    if (this.#undeclared >= MAX_UNDECLARED_AGENTS) {
      this.#untracked.add(name);
      return undefined;
    }
    this.#undeclared++;
    return this.declare(name, group, role);
  }

  view(): AgentsView {
    const { phases, groups } = foldGroups(this.rows.values());
    const shown = mostActive(groups, (g) => g.tasks + g.active, MAX_GROUPS);
    return {
      phases,
      groups: shown,
      groupsNotShown: groups.length - shown.length,
      agents: mostRecent(this.rows.values(), MAX_AGENTS).map(({ active: _a, seen: _s, ...v }) => v),
      agentsNotTracked: this.#untracked.size,
    };
  }
}

/** Purchases at each step, and one row per group in the order first seen. */
function foldGroups(all: Iterable<LiveAgent>): { phases: Record<Phase, number>; groups: GroupView[] } {
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const groups = new Map<string, GroupView>();
  for (const a of all) {
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
  return { phases, groups: [...groups.values()] };
}

/** The `max` most recently active agents, most recent first (ties: by name). */
function mostRecent(all: Iterable<LiveAgent>, max: number): LiveAgent[] {
  return [...all].sort((x, y) => y.seen - x.seen || (x.name < y.name ? -1 : 1)).slice(0, max);
}
