/**
 * What one durable registration costs, from `registry.register()` to its
 * promise resolving, in a registry of 1,000 and of 100,000 listings: with
 * the file store's journal (one line appended and fsynced), and with a store
 * that saves the whole registry as one snapshot per change (the file
 * store's own atomic snapshot write: what every write cost before the
 * journal). Each registry starts from a snapshot of synthetic listings on
 * the OS temp directory; every registration is pre-signed and checked. The
 * rows are interleaved over `BENCH_ROUNDS` rounds (default 30), each sample
 * one call of at least 1 ms (a registration or a few), written to
 * bench-results/registry.json and shown in docs/benchmarks.md with the
 * notes (bytes per change, and one compaction at 100,000 listings).
 *
 *   npm run bench -- registry
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  JsonFileRegistryStore,
  Registry,
  emptyRegistryData,
  listingId,
  signListing,
  type JournalEntry,
  type Listing,
  type ListingFields,
  type RegistryData,
  type RegistryStore,
  type SignedListing,
} from '../../services/registry/index.js';
import { nodeKeys } from '../security/registry-helpers.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const SIZES = [1_000, 100_000];
/** Registrations signed ahead for each row: more than its rounds can use. */
const POOL = 400;
const KEYS = nodeKeys(3, ['bulk', 'seller']);
const clock = new VirtualClock();
const at = clock.now();

/** A listing as sellers write them: three tiers, two capabilities, a description. */
function fields(host: string, nodePubkey: string, i: number): ListingFields {
  return {
    name: `Readings ${i}`,
    url: `https://${host}.example/v1/readings/${i}`,
    category: 'data',
    capabilities: ['data:read', `topic:${i % 50}`],
    tiers: [
      { tier: 0, name: 'single call', kind: 'single', calls: 1, priceMsat: 1_000 + (i % 5_000) },
      { tier: 1, name: 'bundle of 100', kind: 'bundle', calls: 100, priceMsat: 80_000 },
      { tier: 2, name: 'day pass', kind: 'pass', durationSec: 86_400, priceMsat: 500_000 },
    ],
    nodePubkey,
    description: 'Hourly sensor readings for one region, as JSON, with the station and its units.',
  };
}

/** `count` listings as a registry holds them after a probe. */
function listings(count: number): Listing[] {
  return Array.from({ length: count }, (_, i) => {
    const f = fields('bulk', KEYS.bulk.pubkey, i);
    const health = {
      alive: true,
      latencyMs: 40,
      quotedPriceMsat: f.tiers[0]!.priceMsat,
      checkedAt: at,
      failures: 0,
    };
    return { ...f, id: listingId(f.nodePubkey, f.url), createdAt: at, updatedAt: at, signedAt: at, health };
  });
}

/** Before the journal: every change saves the whole registry as one snapshot. */
class SnapshotEveryChange implements RegistryStore {
  readonly #file: JsonFileRegistryStore;
  constructor(path: string) {
    this.#file = new JsonFileRegistryStore(path);
  }
  load = () => this.#file.load();
  append = (_entries: readonly JournalEntry[], state: () => RegistryData) => this.#file.save(state());
  compactionDue = () => false;
  compact = (state: () => RegistryData) => this.#file.save(state());
  close = () => this.#file.close();
}

const dir = mkdtempSync(join(tmpdir(), 'registry-bench-'));
const limits = { listings: 1_000_000, listingsPerKey: 1_000_000 };
type Kind = 'journal' | 'full snapshot';
const name = (kind: Kind, size: number) =>
  `${kind === 'journal' ? 'journal line' : 'full snapshot'}, ${size.toLocaleString('en-US')} listings`;

/** A row: a registry of `size` listings on the `kind` of store, and registrations signed for it. */
async function row(kind: Kind, size: number) {
  const file = join(dir, `${kind.replace(' ', '-')}-${size}.json`);
  await new JsonFileRegistryStore(file).save({ ...emptyRegistryData(), listings: listings(size) });
  const store = kind === 'journal' ? new JsonFileRegistryStore(file) : new SnapshotEveryChange(file);
  const registry = await Registry.open({ clock, network: 'regtest', store, limits });
  const host = `new-${kind.replace(' ', '-')}-${size}`;
  const pool: SignedListing[] = [];
  for (let i = 0; i < POOL; i++)
    pool.push(await signListing(fields(host, KEYS.seller.pubkey, i), KEYS.seller.signer, at));
  const rowName = name(kind, size);
  let used = 0;
  const run = async () => {
    const signed = pool[used++];
    if (!signed) throw new Error(`${rowName}: the ${POOL} signed registrations are used up`);
    const r = await registry.register(signed);
    if (!r.ok) throw new Error(`${rowName}: registration refused: ${r.code}: ${r.message}`);
  };
  return { kind, size, file, store, registry, rowName, run, used: () => used, snapshot: statSync(file) };
}

const rowsToRun = [];
for (const size of SIZES)
  for (const kind of ['journal', 'full snapshot'] as const) rowsToRun.push(await row(kind, size));
const cases: Case[] = rowsToRun.map((r) => ({ name: r.rowName, run: r.run, warmup: 1 }));
const measured = await interleave(cases, { rounds: ROUNDS, minMs: 1 });
// ms per registration, from registrations per second.
const rows = measured.map((r) => ({ name: r.name, samples: r.samples.map((s) => 1000 / s) }));

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const notes: string[] = [];
for (const r of rowsToRun.filter((x) => x.kind === 'journal')) {
  const after = statSync(r.file);
  const untouched = after.size === r.snapshot.size && after.mtimeMs === r.snapshot.mtimeMs;
  const lineBytes = statSync(`${r.file}.journal`).size / r.used();
  notes.push(
    `${r.size.toLocaleString('en-US')} listings: a registration's journal line is ${lineBytes.toFixed(0)} bytes on average ` +
      `(${r.used()} registrations); the snapshot (${mib(r.snapshot.size)}) was ${untouched ? 'not rewritten' : 'REWRITTEN'} meanwhile.`,
  );
}
// One compaction of the largest journal registry, with the longest event-loop stall while it ran.
const largest = rowsToRun.find((r) => r.kind === 'journal' && r.size === SIZES.at(-1))!;
const stalls = monitorEventLoopDelay({ resolution: 1 });
stalls.enable();
const started = performance.now();
await largest.registry.flush();
const compactMs = performance.now() - started;
stalls.disable();
// The registry holds its data file until its store is closed: read the snapshot back after that.
await largest.store.close();
const data = await new JsonFileRegistryStore(largest.file).load();
const stringifyStarted = performance.now();
const json = JSON.stringify(data);
const stringifyMs = performance.now() - stringifyStarted;
notes.push(
  `Compacting the ${largest.size.toLocaleString('en-US')}-listing registry (${mib(statSync(largest.file).size)} of snapshot, ` +
    `written in slices of 1,000 items) took ${compactMs.toFixed(0)} ms, the event loop stalling at most ` +
    `${(stalls.max / 1e6).toFixed(1)} ms at a time; one JSON.stringify of the same ${mib(Buffer.byteLength(json))} snapshot ` +
    `(what every write did before the journal, all at once) blocks it ${stringifyMs.toFixed(0)} ms (one measurement each).`,
);
rmSync(dir, { recursive: true, force: true });

writeResults(
  {
    bench: 'registry',
    command: 'npm run bench -- registry',
    settings: { rounds: ROUNDS, 'files in': 'the OS temp directory' },
    tables: [
      {
        id: 'writes',
        title:
          'One durable registration, register() to resolved (ms): a journal line appended and fsynced, against a full snapshot saved per change, interleaved rounds',
        unit: 'ms',
        higherIsBetter: false,
        baseline: name('journal', SIZES[0]!),
        rows,
        compare: [
          [name('journal', SIZES[1]!), name('journal', SIZES[0]!)],
          [name('full snapshot', SIZES[0]!), name('journal', SIZES[0]!)],
          [name('full snapshot', SIZES[1]!), name('journal', SIZES[1]!)],
        ],
      },
    ],
    notes,
  },
  load,
);
