import { createRng } from '../../infra/random.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import type { Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import { runScenario, type RunOutput } from '../run.js';
import { EmbeddedWorld } from '../market/embedded-world.js';
import type { World } from '../market/world.js';
import { PacedClock } from './paced-clock.js';
import { LiveState, sellerFromHost } from './state.js';
import { GraphReader, readLedgerGraph } from './graph.js';
import type { GraphView, Snapshot, Totals } from './snapshot.js';
import type { Conservation } from '../metrics/conservation.js';
import { refuse, type Control, type ControlResult, type ControlTarget } from './controls.js';
import { act, targetRefusal, type Running } from './presenter-acts.js';
import { BEING_STOPPED, ENDED_FIRST, PendingControls } from './pending-controls.js';
import { declareAgents } from './declare-agents.js';

export interface LiveMarketOptions {
  seed?: string | number;
  /** Market seconds per wall second (embedded network only). */
  speed?: number;
  /** false: run the embedded market as fast as it computes (benchmarks); no pause or speed control. */
  pace?: boolean;
  backend?: 'embedded' | 'regtest';
  networkFile?: string;
  /** Where the run's files go (summary.json, events.jsonl, …). */
  outDir: string;
  logger?: Logger;
  startedAt?: string;
}

/**
 * A market run for the live view: the ordinary simulator run, paced to wall
 * time on the embedded network, with every recorded fact folded into a
 * LiveState and the presenter's controls applied between two steps of the
 * market. What it writes is what `sim run` writes, so the run can be replayed.
 */
export class LiveMarket implements ControlTarget {
  readonly state = new LiveState((url) => this.#sellerAt(url));
  readonly clock: PacedClock | undefined;
  readonly done: Promise<RunOutput>;
  #run: Running | undefined;
  #graph: GraphReader | undefined;
  #ledgerGraph: GraphView = { nodes: [], channels: [], aggregated: false, note: '' };
  #output: RunOutput | undefined;
  #error: string | undefined;
  #startNetworkMsat: number | undefined;
  #repriced = 0;
  readonly #pending = new PendingControls();
  /** Set at the first Ctrl-C: controls are refused from then on. */
  #stopping = false;
  readonly #stop = new AbortController();
  /** Seller names by their service's origin (on real networks, URLs name ports, not sellers). */
  readonly #sellerByOrigin = new Map<string, string>();

  constructor(
    readonly scenario: Scenario,
    readonly opts: LiveMarketOptions,
  ) {
    const backend = opts.backend ?? 'embedded';
    const seed = opts.seed ?? scenario.seed;
    let world: World | undefined;
    if (backend === 'embedded') {
      if (opts.pace !== false) this.clock = new PacedClock({ speed: opts.speed ?? 10 });
      world = new EmbeddedWorld(scenario.network, createRng(seed), this.clock ? { clock: this.clock } : {});
      this.#graph = new GraphReader(world as EmbeddedWorld, (n) => this.state.agents.get(n)?.group);
    }
    declareAgents(this.state, scenario);
    for (const s of scenario.sellers)
      for (const name of instanceNames(s.name, s.count)) this.state.seller(name, s.name);
    this.done = runScenario(scenario, {
      seed,
      backend,
      outDir: opts.outDir,
      png: false,
      logger: opts.logger ?? silentLogger,
      ...(opts.startedAt && { startedAt: opts.startedAt }),
      ...(opts.networkFile && { networkFile: opts.networkFile }),
      ...(world && { world }),
      signal: this.#stop.signal,
      observe: (e) => this.state.apply(e),
      onMarket: (run) => this.#attach(run),
    });
    // The market no longer moves: controls still waiting on it would never be answered.
    this.done.then(
      (out) => {
        this.#output = out;
        this.#pending.close(ENDED_FIRST);
      },
      (err: unknown) => {
        this.#error = err instanceof Error ? err.message : String(err);
        this.#pending.close(ENDED_FIRST);
      },
    );
  }

  /**
   * Stops the run (the demo's Ctrl-C) at its first moment with no purchase
   * between payment and record, the market no longer paced meanwhile, and
   * writes what was recorded up to then as a run whose summary says it was
   * stopped (`sim/stopped-run.ts`). Resolves with the run's output once its
   * files are written; a run already finished just resolves.
   */
  stop(): Promise<RunOutput> {
    this.beginStop();
    this.clock?.stopPacing();
    this.#stop.abort();
    return this.done;
  }

  /**
   * The first Ctrl-C (before `stop`, which waits for a copy of the press):
   * market time is held, the page says `stopped`, and every control, waiting
   * on the market or new, is refused with `finished` (the run is being stopped).
   */
  beginStop(): void {
    this.#stopping = true;
    this.clock?.pause();
    this.#pending.close(BEING_STOPPED);
  }

  #attach(run: Running): void {
    this.#run = run;
    for (const s of run.market.sellers) this.#sellerByOrigin.set(originOf(s.baseUrl), s.name);
    this.#startNetworkMsat = run.world.totalMsat();
    const t0 = run.engine.startMs;
    for (const agent of run.market.buyers) {
      const runTask = agent.runTask;
      // The task's start is its discover step: the buyer is searching the registry.
      agent.runTask = (task) => {
        this.state.apply({
          kind: 'task_start',
          t: run.world.clock.now() - t0,
          buyer: agent.name,
          group: agent.group,
          role: agent.role,
        });
        return runTask(task);
      };
    }
  }

  #sellerAt(url: string): string {
    return this.#sellerByOrigin.get(originOf(url)) ?? sellerFromHost(url);
  }

  /** The page's picture of the market right now. */
  snapshot(): Snapshot {
    const run = this.#run;
    const out = this.#output;
    const view = this.state.view();
    const endMs = Math.round((this.scenario.durationSec + this.scenario.drainSec) * 1000);
    const tMs = out ? out.summary.endedAtMs : run ? run.engine.elapsed() : 0;
    const network = run?.world.totalMsat();
    if (network !== undefined) {
      view.totals.networkMsat = network;
      if (this.#startNetworkMsat !== undefined) view.totals.networkStartMsat = this.#startNetworkMsat;
    }
    if (out) {
      view.totals.conservation = conservationView(out.summary.conservation);
    }
    if (!this.#graph && run) void readLedgerGraph(run.world).then((g) => (this.#ledgerGraph = g));
    return {
      mode: 'live',
      scenario: this.scenario.name,
      backend: this.opts.backend ?? 'embedded',
      status: this.#status(out),
      ...(this.#error && { error: this.#error }),
      tMs,
      endMs,
      speed: this.clock?.speed ?? 1,
      ...view,
      graph: this.#graph && run ? this.#graph.read() : this.#ledgerGraph,
    };
  }

  #status(out: RunOutput | undefined): Snapshot['status'] {
    if (this.#error) return 'failed';
    if (out) return out.engine.stopped ? 'stopped' : 'finished';
    if (this.#stopping) return 'stopped';
    return this.clock?.halted ? 'paused' : 'running';
  }

  async apply(c: Control): Promise<ControlResult> {
    if (this.#output || this.#error)
      return refuse('finished', 'the run has ended; start a new one or replay it');
    if (this.#stopping) return BEING_STOPPED;
    const run = this.#run;
    if (!run) return refuse('not_supported', 'the market is still being built; try again in a moment');
    if (c.type === 'seek') return refuse('not_supported', 'seek works in replay only');
    const clock = this.clock;
    if (c.type === 'pause' || c.type === 'resume' || c.type === 'speed') {
      if (!clock)
        return refuse(
          'not_supported',
          'a real network runs on the wall clock: it cannot be paused or sped up',
        );
      if (c.type !== 'speed' && clock.paused === (c.type === 'pause'))
        return refuse('unchanged', `the market is already ${clock.paused ? 'paused' : 'running'}`);
      if (c.type === 'pause') clock.pause();
      else if (c.type === 'resume') clock.resume();
      else clock.setSpeed(c.speed);
      return { ok: true, applied: c.type };
    }
    const check = targetRefusal(c, run);
    if (check) return check;
    const action = () => act(c, run, () => this.#repriced++);
    // Embedded: between two market steps; a real network: now.
    return this.#pending.run(run.engine, c.type, action, clock && ((start) => clock.between(start)));
  }
}

/** The run's conservation check in a line the page can show. */
export function conservationView(c: Conservation): NonNullable<Totals['conservation']> {
  return {
    ok: c.holds,
    detail: `payers ${signed(-c.debitsMsat)}, sellers ${signed(c.sellersMsat)}, resellers ${signed(c.resellersMsat)}, routers ${signed(c.routingFeesMsat)} msat: difference ${signed(c.differenceMsat)}`,
  };
}

const grouped = new Intl.NumberFormat('en-US');

/** `+10,840`, `−10,840` or `0`: one sign, digits grouped as the page shows numbers. */
export function signed(msat: number): string {
  const sign = msat > 0 ? '+' : msat < 0 ? '−' : '';
  return sign + grouped.format(Math.abs(msat));
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
