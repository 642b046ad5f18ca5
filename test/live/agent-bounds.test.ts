/**
 * A snapshot stays bounded whatever buyers and groups the folded events name:
 * at most MAX_GROUPS group rows (the most active, the rest counted in
 * `groupsNotShown`) and at most MAX_UNDECLARED_AGENTS undeclared agents
 * tracked (the rest counted in `agentsNotTracked`), so a replay of a file
 * naming many groups still reaches the page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Replay } from '../../sim/live/replay.js';
import {
  LiveState,
  MAX_AGENTS,
  MAX_GROUPS,
  MAX_UNDECLARED_AGENTS,
  type LiveInput,
} from '../../sim/live/state.js';
import { MAX_BUFFERED_BYTES, snapshotFrame } from '../../sim/live/viewer-socket.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';

const start = (buyer: string, group: string): LiveInput => ({
  kind: 'task_start',
  t: 1,
  buyer,
  group,
  role: 'buyer',
});

const ended = (buyer: string, group: string): LiveInput => ({
  kind: 'event',
  t: 2,
  type: 'task',
  data: { buyer, group, role: 'buyer', done: true },
});

const bought = (buyer: string): LiveInput => ({
  kind: 'purchase',
  row: {
    buyer,
    group: 'g',
    role: 'buyer',
    seller: 's',
    outcome: 'success',
    paidMsat: 10,
    feeMsat: 1,
  } as PurchaseRow,
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('group rows in a snapshot', () => {
  it(`carries the first ${MAX_GROUPS} of 200 groups named only by tasks and counts the other 150`, () => {
    const s = new LiveState();
    for (let i = 0; i < 200; i++) s.apply(start(`b${i}`, `g${i}`));
    const v = s.view();
    expect(v.groups.map((g) => g.name)).toEqual(Array.from({ length: MAX_GROUPS }, (_, i) => `g${i}`));
    expect(v.groupsNotShown).toBe(150);
    expect(v.agents.length).toBe(MAX_AGENTS);
  });

  it('carries the most active groups, in the order first seen, when there are more than MAX_GROUPS', () => {
    const s = new LiveState();
    for (let i = 0; i < 100; i++) s.agent(`b${i}`, `g${i}`, 'buyer', 1_000);
    for (const i of [99, 70, 3]) s.apply(ended(`b${i}`, `g${i}`));
    const v = s.view();
    const names = v.groups.map((g) => g.name);
    expect(names.length).toBe(MAX_GROUPS);
    expect(names.slice(0, 4)).toEqual(['g0', 'g1', 'g2', 'g3']);
    expect(names.slice(-3)).toEqual(['g47', 'g70', 'g99']);
    expect(v.groupsNotShown).toBe(50);
  });

  it('shows every group of a market of at most MAX_GROUPS groups, and counts none out', () => {
    const s = new LiveState();
    s.agent('a-0', 'a', 'buyer', 5_000);
    s.apply(start('b-0', 'b'));
    s.apply(bought('b-0'));
    const v = s.view();
    expect(v.groups).toEqual([
      {
        name: 'a',
        role: 'buyer',
        agents: 1,
        active: 0,
        budgetMsat: 5_000,
        spentMsat: 0,
        feesMsat: 0,
        tasks: 0,
        done: 0,
      },
      {
        name: 'b',
        role: 'buyer',
        agents: 1,
        active: 1,
        budgetMsat: 0,
        spentMsat: 10,
        feesMsat: 1,
        tasks: 0,
        done: 0,
      },
    ]);
    expect([v.groupsNotShown, v.agentsNotTracked]).toEqual([0, 0]);
  });
});

describe('undeclared agents in a snapshot', () => {
  it(`tracks ${MAX_UNDECLARED_AGENTS} undeclared agents; the ones after are only counted`, () => {
    const s = new LiveState();
    for (let i = 0; i < 3; i++) s.agent(`d${i}`, 'declared', 'buyer', 1_000);
    for (let i = 0; i < MAX_UNDECLARED_AGENTS + 200; i++) s.apply(start(`u${i}`, 'files'));
    // Past the limit an agent's purchase and task still count in the totals, but get no row.
    const late = `u${MAX_UNDECLARED_AGENTS + 5}`;
    s.apply(bought(late));
    s.apply(ended(late, 'files'));
    s.apply(start(late, 'files'));
    s.apply(bought('u0'));
    const v = s.view();
    expect(s.agents.size).toBe(MAX_UNDECLARED_AGENTS + 3);
    expect(s.agents.has(late)).toBe(false);
    expect(v.agentsNotTracked).toBe(200);
    expect(v.groups.map((g) => [g.name, g.agents, g.active, g.spentMsat])).toEqual([
      ['declared', 3, 0, 0],
      ['files', MAX_UNDECLARED_AGENTS, MAX_UNDECLARED_AGENTS, 10],
    ]);
    expect([v.totals.purchases, v.totals.spentMsat, v.totals.tasks]).toEqual([2, 20, 1]);
  });
});

describe('a replay whose events name many groups', () => {
  it('sends the page a snapshot within what a viewer may be sent, counting the groups left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-bounds-'));
    dirs.push(dir);
    const n = 20_000;
    const lines = Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        t: 1 + i,
        type: 'task',
        role: 'buyer',
        startedAtMs: i,
        buyer: `b${i}`,
        group: `group-${i}`,
      }),
    );
    writeFileSync(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    const replay = Replay.load(dir, { speed: 100 });
    try {
      replay.seek(n + 10);
      const snapshot = replay.snapshot();
      expect([snapshot.groups.length, snapshot.groupsNotShown, snapshot.agentsNotTracked]).toEqual([
        MAX_GROUPS,
        n - MAX_GROUPS,
        0,
      ]);
      expect(snapshot.groups.slice(0, 2).map((g) => g.name)).toEqual(['group-0', 'group-1']);
      expect(snapshotFrame(snapshot).bytes).toBeLessThanOrEqual(MAX_BUFFERED_BYTES);
    } finally {
      replay.close();
    }
  });
});
