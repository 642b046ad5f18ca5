import { join } from 'node:path';
import type { Summary } from '../metrics/summary.js';
import { loadScenario, validateScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import { LiveState } from './state.js';
import { readSummary, readTimeline, runFileText, type Entry } from './run-files.js';
import { MAX_SPEED, MIN_SPEED } from './paced-clock.js';
import { refuse, type Control, type ControlResult } from './controls.js';
import { conservationView } from './live-market.js';
import type { Snapshot } from './snapshot.js';
import type { LiveSource } from './server.js';

const TICK_MS = 100;

/**
 * Plays a finished run back on the live page from its files: events.jsonl
 * (tasks, purchase steps, faults) and purchases.csv (each purchase's
 * outcome and money), with summary.json for the run's length and its
 * conservation check. The same LiveState folds them, so the page ends on the
 * same totals the run reported. Seeking refolds from the start.
 */
export class Replay implements LiveSource {
  #state: LiveState;
  #next = 0;
  #tMs = 0;
  #speed: number;
  #paused = false;
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly timeline: Entry[],
    readonly summary: Summary | undefined,
    readonly endMs: number,
    readonly declare: (s: LiveState) => void,
    speed: number,
  ) {
    this.#speed = speed;
    this.#state = this.#fresh();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /**
   * Reads a run directory (as written by `sim run` or `npm run demo`); a
   * damaged file is refused naming the file, line and field (`run-files.ts`).
   */
  static load(dir: string, { speed = 10 }: { speed?: number } = {}): Replay {
    const timeline = readTimeline(dir);
    const summary = readSummary(dir);
    const endMs = Math.max(summary?.endedAtMs ?? 0, timeline.at(-1)?.t ?? 0);
    return new Replay(timeline, summary, endMs, declarer(dir, summary), speed);
  }

  #fresh(): LiveState {
    const s = new LiveState();
    this.declare(s);
    this.#next = 0;
    return s;
  }

  #tick(): void {
    if (this.#paused || this.#tMs >= this.endMs) return;
    this.#advanceTo(Math.min(this.endMs, this.#tMs + TICK_MS * this.#speed));
  }

  #advanceTo(t: number): void {
    this.#tMs = t;
    while (this.#next < this.timeline.length && this.timeline[this.#next]!.t <= t)
      this.#state.apply(this.timeline[this.#next++]!.input);
  }

  /** Moves the replay to `tMs` of run time (forwards or back). */
  seek(tMs: number): void {
    const t = Math.min(Math.max(0, tMs), this.endMs);
    if (t < this.#tMs) this.#state = this.#fresh();
    this.#advanceTo(t);
  }

  snapshot(): Snapshot {
    const view = this.#state.view();
    const finished = this.#tMs >= this.endMs;
    if (finished && this.summary) view.totals.conservation = conservationView(this.summary.conservation);
    return {
      mode: 'replay',
      scenario: this.summary?.scenario ?? 'recorded run',
      backend: this.summary?.backend ?? 'embedded',
      status: finished
        ? this.summary?.stopped
          ? 'stopped'
          : 'finished'
        : this.#paused
          ? 'paused'
          : 'running',
      tMs: this.#tMs,
      endMs: this.endMs,
      speed: this.#speed,
      ...view,
      graph: {
        nodes: [],
        channels: [],
        aggregated: false,
        note: 'replay: the recorded run has no channel balances',
      },
    };
  }

  async apply(c: Control): Promise<ControlResult> {
    if ((c.type === 'pause' || c.type === 'resume') && this.#paused === (c.type === 'pause'))
      return refuse('unchanged', `the replay is already ${this.#paused ? 'paused' : 'running'}`);
    if (c.type === 'pause') this.#paused = true;
    else if (c.type === 'resume') this.#paused = false;
    else if (c.type === 'speed') {
      if (c.speed < MIN_SPEED || c.speed > MAX_SPEED) return refuse('bad_message', `speed out of range`);
      this.#speed = c.speed;
    } else if (c.type === 'seek') this.seek(c.tMs);
    else
      return refuse('not_supported', 'a replay shows a recorded run: presenter actions need a live market');
    return { ok: true, applied: c.type };
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Declares the run's buyers (with budgets) and sellers: from the resolved
 * scenario in meta.json (overrides included), else by loading the scenario by name.
 */
function declarer(dir: string, summary: Summary | undefined): (s: LiveState) => void {
  const scenario = recordedScenario(dir, summary);
  if (!scenario) return () => {};
  return (s) => {
    for (const b of scenario.buyers)
      for (const name of instanceNames(b.name, b.count)) s.agent(name, b.name, 'buyer', b.budgetMsat);
    for (const x of scenario.sellers)
      for (const name of instanceNames(x.name, x.count)) s.seller(name, x.name);
  };
}

/**
 * The resolved scenario in meta.json, read once through the checked open (a directory or a named
 * pipe there is refused, never waited on); meta.json whose text is not a scenario, or no
 * meta.json, falls back to the scenario's name in summary.json.
 */
function recordedScenario(dir: string, summary: Summary | undefined): Scenario | undefined {
  const meta = runFileText(join(dir, 'meta.json'), "a run's metadata");
  if (meta !== undefined) {
    try {
      const v = validateScenario((JSON.parse(meta) as { resolvedScenario?: unknown }).resolvedScenario);
      if (v.ok) return v.scenario;
    } catch {
      // meta.json that is not JSON falls back to the scenario's name.
    }
  }
  if (!summary) return undefined;
  try {
    return loadScenario(summary.scenario);
  } catch {
    return undefined;
  }
}
