/**
 * Other work on the machine while a bench measures. The 1-minute load
 * average at a bench's end counts the bench's own processes (the regtest
 * bench runs three LND nodes, btcd and Aperture), so only the load before it
 * starts says whether something else competed for the CPUs. A bench first
 * waits for that load to settle (a bench run just before leaves its own load
 * behind for a minute), then records it; the machine counts as overloaded
 * when other work was using more than half its CPUs.
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The longest a bench waits for the load to settle before measuring anyway (and being marked overloaded). */
export const SETTLE_MAX_MS = 120_000;
const POLL_MS = 2_000;

/** The load of other work above which figures are marked overloaded: half the CPUs. */
export function busyLoad(cpuCount = cpus().length): number {
  return cpuCount / 2;
}

/** Whether a bench that started at `startLoad` shared the machine with too much other work. */
export function isOverloaded(startLoad: number, cpuCount = cpus().length): boolean {
  return startLoad > busyLoad(cpuCount);
}

/** Sources of the load average and of time, replaceable in tests. */
export interface LoadProbe {
  load: () => number;
  sleep: (ms: number) => Promise<unknown>;
  log: (line: string) => void;
}

const systemProbe: LoadProbe = {
  load: () => loadavg()[0]!,
  sleep: (ms) => sleep(ms),
  log: (line) => console.log(line),
};

/**
 * Waits until the 1-minute load average is at most half the CPUs (or
 * `maxMs` passed) and returns it: the load a bench records as its start.
 */
export async function settledLoad(
  maxMs = SETTLE_MAX_MS,
  probe: LoadProbe = systemProbe,
  cpuCount = cpus().length,
): Promise<number> {
  const limit = busyLoad(cpuCount);
  let load = probe.load();
  if (load <= limit) return load;
  probe.log(`waiting up to ${maxMs / 1000} s for the load average (${load.toFixed(2)}) to fall to ${limit}`);
  for (let waited = 0; waited < maxMs && load > limit; waited += POLL_MS) {
    await probe.sleep(POLL_MS);
    load = probe.load();
  }
  return load;
}
