import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createRng } from '../infra/random.js';
import { silentLogger, type Logger } from '../infra/log.js';
import type { Scenario } from './scenario/schema.js';
import { Engine, type EngineResult } from './engine/engine.js';
import { Recorder, type RecordListener } from './metrics/recorder.js';
import { computeConservation, type LedgerEntry } from './metrics/conservation.js';
import type { Summary } from './metrics/summary.js';
import { runOutputNames, writeRunOutputs } from './report/write-run.js';
import type { RunMeta } from './report/provenance.js';
import { EmbeddedWorld } from './market/embedded-world.js';
import { createWorld } from './market/worlds.js';
import type { World } from './market/world.js';
import { buildMarket, type Market } from './market/market.js';
import { instanceNames } from './scenario/checks.js';
import { canonicalScenario, scenarioHash } from './scenario/hash.js';
import { reachWarnings } from './scenario/reach.js';
import { checkModelsNeedRegtest } from './scenario/backend-checks.js';
import { ScenarioError } from './scenario/errors.js';
import { codeVersion, packageVersions } from './report/provenance.js';
import { stoppedNote, stopOnAbort } from './stopped-run.js';
import { runFiles, type RunSinks } from './run-sinks.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: string | number;
  backend?: 'embedded' | 'regtest';
  /** Network description for the regtest backend. */
  networkFile?: string;
  /** Write every output here; without it only the summary is returned (sweeps, tests). */
  outDir?: string;
  png?: boolean;
  events?: boolean;
  /** Progress in ms of run time. */
  onProgress?: (nowMs: number) => void;
  logger?: Logger;
  /** Recorded in meta.json. */
  overrides?: Record<string, unknown>;
  /** Wall-clock start (ISO 8601) for meta.json; the entry point reads the clock, not the library. */
  startedAt?: string;
  /** Where rows go when no outDir is given (tests use a MemorySink). */
  sinks?: RunSinks;
  /** Build the world yourself (tests, benchmarks); default: from backend. */
  world?: World;
  /** Sees every purchase, sale and event as it is recorded (the live view). */
  observe?: RecordListener;
  /**
   * What runs the agents' buyer graphs: 'direct' (default: the same nodes,
   * edges and routers without the Pregel runtime) or 'langgraph'. Both give
   * byte-identical outputs.
   */
  executor?: 'langgraph' | 'direct';
  /** Stops the run early (the demo's Ctrl-C) at its first moment with records and ledger agreeing (stopped-run.ts). */
  signal?: AbortSignal;
  /** Called once the market is built, before it starts (the live view's controls act on it). */
  onMarket?: (run: { engine: Engine; world: World; market: Market; recorder: Recorder }) => void;
}

/** What a run produces. */
export interface RunOutput {
  summary: Summary;
  meta: RunMeta;
  engine: EngineResult;
  reportPath?: string;
  /** With `outDir`: what the run wrote there, relative to it (`charts/*.png` for the charts). */
  files?: string[];
}

/**
 * Runs one scenario end to end: builds the world and the market, runs the
 * engine for the scenario's duration plus drain time, checks conservation,
 * and (with `outDir`) writes every output.
 *
 * @example
 * const { summary } = await runScenario(loadScenario('quickstart'), { seed: 7 });
 */
export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<RunOutput> {
  const t0 = performance.now();
  const seed = opts.seed ?? scenario.seed;
  // What ran, in the hash and meta.json: a seed given apart from the scenario (--seed, a sweep's) is its seed.
  const resolved: Scenario = { ...scenario, seed };
  const backend = opts.backend ?? 'embedded';
  const logger = opts.logger ?? silentLogger;
  // An LLM decider or negotiator cannot run on virtual time: refuse before anything is built.
  const models = checkModelsNeedRegtest(scenario, opts.world?.backend ?? backend);
  if (models.length) throw new ScenarioError('invalid_scenario', models);
  const rng = createRng(seed);
  const world =
    opts.world ??
    (backend === 'embedded'
      ? new EmbeddedWorld(scenario.network, rng)
      : await createWorld(backend, scenario, rng, opts.networkFile));
  const rows = runFiles(opts.outDir, opts);
  const durationMs = Math.round(scenario.durationSec * 1000);
  const recorder = new Recorder(
    {
      scenario: scenario.name,
      description: scenario.description,
      seed,
      backend: world.backend,
      scenarioHash: scenarioHash(resolved),
      durationMs,
      sellerCosts: sellerCosts(scenario),
      staticWarnings: reachWarnings(scenario),
      ...(world.acceptUnsignedInvoices && { invoices: 'unsigned' as const }),
    },
    rows.sinks,
    opts.observe,
  );
  const engine = new Engine({ clock: world.clock, ...(opts.onProgress && { onProgress: opts.onProgress }) });
  let before: LedgerEntry[] = [];
  let initialMsat = 0;
  let market: Market | undefined;
  const conservationAt = (after: LedgerEntry[]) =>
    computeConservation(runLedger(before, after, market?.transfers ?? new Map()), recorder.recordedSpend(), {
      initialMsat,
      finalMsat: world.totalMsat() ?? initialMsat,
    });
  // A balance that cannot be read now is "not yet": the final snapshot reports it if it lasts.
  const settled = async () =>
    !market ||
    snapshot(world).then(
      (now) => conservationAt(now).holds,
      () => false,
    );
  const unlisten = stopOnAbort(opts.signal, engine, scenario.drainSec, settled);
  // Setup runs as the first activity, so anything in it that waits on the clock works on virtual time too.
  engine.spawn('market setup', async () => {
    market = await buildMarket(scenario, world, recorder, { logger, executor: opts.executor });
    before = await settledSnapshot(world);
    initialMsat = world.totalMsat() ?? 0;
    rows.open();
    opts.onMarket?.({ engine, world, market, recorder });
    market.start(engine);
  });
  let result: EngineResult;
  let after: LedgerEntry[];
  try {
    result = await engine.run(durationMs + Math.round(scenario.drainSec * 1000));
    after = await settledSnapshot(world);
  } catch (err) {
    throw rows.failed(err);
  } finally {
    unlisten();
    await world.close();
  }
  // A run stopped before its market was set up still writes its (empty) records.
  rows.open();
  // Tasks the run ended under are recorded as they stood then (stop reason `unfinished`).
  market?.openTasks.flush(engine.startMs + result.endedAtMs);
  recorder.ended(result.endedAtMs);
  const conservation = conservationAt(after);
  const summary = stoppedNote(recorder.finish(conservation), result, scenario);
  const wallMs = performance.now() - t0;
  const meta = runMeta(resolved, opts, { seed, world, summary, result, wallMs });
  if (!opts.outDir) return { summary, meta, engine: result };
  const png = opts.png !== false;
  const reportPath = await writeRunOutputs(opts.outDir, summary, meta, { png });
  const files = runOutputNames({ events: opts.events !== false, png });
  return { summary, meta, engine: result, reportPath, files };
}

/** Each node's start and end holdings; the end less what the market moved outside payments (`transfers`). */
function runLedger(
  before: LedgerEntry[],
  after: LedgerEntry[],
  transfers: Map<string, number>,
): LedgerEntry[] {
  // By name (the first entry of a name, as a search would find): a market has thousands of nodes.
  const ends = new Map<string, number>();
  for (const a of after) if (!ends.has(a.node)) ends.set(a.node, a.endMsat);
  return before.map((b) => ({
    ...b,
    endMsat: (ends.get(b.node) ?? b.startMsat) - (transfers.get(b.node) ?? 0),
  }));
}

/** meta.json: what ran (resolved scenario, seed, code and package versions, overrides) and how it went. */
function runMeta(
  scenario: Scenario,
  opts: RunOptions,
  run: {
    seed: string | number;
    world: Pick<World, 'backend' | 'secrets'>;
    summary: Summary;
    result: EngineResult;
    wallMs: number;
  },
): RunMeta {
  const { seed, summary, result, wallMs } = run;
  const root = fileURLToPath(new URL('..', import.meta.url));
  return {
    scenario: scenario.name,
    scenarioHash: summary.scenarioHash,
    resolvedScenario: JSON.parse(canonicalScenario(scenario)) as unknown,
    seed,
    backend: run.world.backend,
    secrets: run.world.secrets,
    code: codeVersion(root),
    startedAt: opts.startedAt ?? '',
    wallMs: Math.round(wallMs),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    versions: packageVersions(root),
    overrides: opts.overrides ?? {},
    purchasesPerSec: summary.purchases.total / Math.max(wallMs / 1000, 1e-9),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    engineSteps: result.steps,
    unfinished: result.unfinished.length,
  };
}

/**
 * The final ledger. On a real network a payer learns the preimage before
 * every channel on the route has finished settling the HTLC, so balances
 * are read once no node has an HTLC in flight (up to 30 s of wall time).
 * The embedded network settles the whole route before a payment resolves.
 */
async function settledSnapshot(world: World): Promise<LedgerEntry[]> {
  if (world.backend === 'embedded') return snapshot(world);
  for (let i = 0; i < 120; i++) {
    const balances = await Promise.all(world.ledgerNodes().map(({ node }) => node.balances()));
    if (balances.every((b) => b.pendingInMsat === 0 && b.pendingOutMsat === 0)) break;
    await world.clock.sleep(250);
  }
  return snapshot(world);
}

async function snapshot(world: World): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  // A payment settling back along its route (a run ended mid-settlement) reads as still in flight.
  const back = world.settlingReadBack();
  for (const { name, role, node } of world.ledgerNodes()) {
    const b = await node.balances();
    const holdings = b.localMsat + b.pendingOutMsat + (back.get(name) ?? 0);
    out.push({ node: name, role, startMsat: holdings, endMsat: holdings });
  }
  return out;
}

/** Every seller instance's cost of serving one delivered call. */
function sellerCosts(scenario: Scenario): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of scenario.sellers) for (const name of instanceNames(g.name, g.count)) out[name] = g.costMsat;
  return out;
}
