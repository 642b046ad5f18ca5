/**
 * `sim validate --help` lists a run's limits (nodes, channels, expected calls, market time, arrival
 * pace) and where the docs say why, so a user sees them before a file is refused over one.
 */
import { expect, it } from 'vitest';
import { validateCommand } from '../../sim/commands/validate-command.js';
import type { CommandIo } from '../../sim/commands/io.js';

it('validate --help lists the run’s limits and points to the docs section that says why', async () => {
  const lines: string[] = [];
  const io: CommandIo = {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    interactive: false,
    now: () => new Date(0),
  };
  expect(await validateCommand(['--help'], io)).toBe(0);
  expect(lines.join('\n')).toContain(
    `A run's limits (why each: docs/simulator.md, "Scenario files"):
  at most 50,000 nodes (agents and routers) and 1,000,000 channels
  at most 10,000,000 expected calls: buyers' tasks × calls, sub-agents' slices,
    repricing steps and sellers' upstream calls
  durationSec and drainSec at most 31,536,000 s (365 days)
  arrivals.ratePerMin at most 6,000; arrivals.everySec at least 0.001 s (1 ms)
  a task's weight at most 1,000,000; registry.searchLimit at most 1,000`,
  );
});
