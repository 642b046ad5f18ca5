import type { GroupStats } from '../metrics/summary.js';

/**
 * A figure of one agent group (summary.json's `groups.<name>`) that a sweep compares across
 * grid points: the policy comparison, where a treated group sits beside an untouched control.
 * Each key means what the same field of summary.json's group means.
 */
export interface GroupMetric {
  key: string;
  label: string;
  /** Null where the group has nothing to measure in the run (a rate over nothing, surplus per task without tasks). */
  of: (g: GroupStats) => number | null;
  /** A proportion: its interval is clipped to [0, 1], its paired difference to [-1, 1]. */
  proportion: boolean;
}

/** The group metrics a sweep compares, in the order sweep.json, sweep.csv and the tables give them. */
export const GROUP_METRICS = [
  {
    key: 'surplusPerTaskMsat',
    label: 'surplus per task (msat)',
    of: (g) => g.surplusPerTaskMsat,
    proportion: false,
  },
  { key: 'taskCompletionRate', label: 'task completion', of: (g) => g.taskCompletionRate, proportion: true },
  { key: 'paymentSuccessRate', label: 'payment success', of: (g) => g.paymentSuccessRate, proportion: true },
  /** Paid to sellers, fees excluded (as summary.json's groups.<name>.spentMsat and the sweep's spentMsat). */
  { key: 'spentMsat', label: 'spent (msat)', of: (g) => g.spentMsat, proportion: false },
  /** Routing fees paid on top of `spentMsat`. */
  { key: 'feesMsat', label: 'fees (msat)', of: (g) => g.feesMsat, proportion: false },
] as const satisfies readonly GroupMetric[];

export type GroupMetricKey = (typeof GROUP_METRICS)[number]['key'];

/** The group metrics the console's group table shows (all are in sweep.json, sweep.csv and report.html). */
export const GROUP_HEADLINE: readonly GroupMetricKey[] = [
  'surplusPerTaskMsat',
  'taskCompletionRate',
  'paymentSuccessRate',
];

/** A group's value of each GROUP_METRICS key in one run (null where it has none: never for spent and fees). */
export type GroupValues = {
  [M in (typeof GROUP_METRICS)[number] as M['key']]: ReturnType<M['of']>;
};

/** A group's values in a run's summary. */
export function groupValues(g: GroupStats): GroupValues {
  return Object.fromEntries(GROUP_METRICS.map((m) => [m.key, m.of(g)])) as GroupValues;
}

export function groupMetric(key: GroupMetricKey): (typeof GROUP_METRICS)[number] {
  return GROUP_METRICS.find((m) => m.key === key)!;
}
