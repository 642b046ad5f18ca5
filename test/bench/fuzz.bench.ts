/**
 * Fuzz bench: at least 100,000 seeded cases each for L402 headers (against a
 * seller's paywall), macaroons, BOLT11 invoices, registry bodies and hostile
 * 402s against the L402 client. Counts 5xx answers, crashes, hangs and
 * accepted forgeries, the peak RSS of each target's process, and its memory
 * curve: heap after a full GC and RSS after every 10 % of the cases. Exits 1
 * when a target run has any 5xx, crash, hang or accepted forgery.
 * Run: npm run bench -- fuzz   (FUZZ_CASES=100000 FUZZ_SEED=1 by default;
 * FUZZ_TARGETS=macaroons,invoices runs some targets only; FUZZ_PARALLEL
 * targets at a time, default 2). The JSON is rewritten as each target
 * finishes, so a long run keeps what it measured.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzTally, MemorySample } from '../security/fuzz-common.js';
import { checkout, commitLabel } from './git.js';
import { settledLoad, writeResults } from './harness.js';

const TARGETS = ['headers', 'macaroons', 'invoices', 'registry', 'client'] as const;
type Target = (typeof TARGETS)[number];
const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
const PARALLEL = Number(process.env.FUZZ_PARALLEL ?? 2);
const CHOSEN = (process.env.FUZZ_TARGETS?.split(',') ?? [...TARGETS]) as Target[];
/** Each target's name in the notes (the tally's `target`). */
const LABELS: Record<Target, string> = {
  headers: 'L402 headers',
  macaroons: 'macaroons',
  invoices: 'invoices',
  registry: 'registry bodies',
  client: 'client hostile 402s',
};
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS_FILE = join(ROOT, 'bench-results', 'fuzz.json');

/** The notes of targets not run this time, from the last results (a run of some targets keeps the others' figures). */
function earlierNotes(): Map<Target, string[]> {
  const kept = new Map<Target, string[]>();
  let notes: string[] = [];
  try {
    notes = (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { notes?: string[] }).notes ?? [];
  } catch {
    return kept;
  }
  for (const target of TARGETS.filter((t) => !CHOSEN.includes(t))) {
    const mine = notes.filter(
      (n) => n.startsWith(`${LABELS[target]}:`) || n.startsWith(`${LABELS[target]} `),
    );
    if (mine.length) kept.set(target, mine);
  }
  return kept;
}
const EARLIER = earlierNotes();

async function runTarget(target: Target): Promise<FuzzTally> {
  const { fuzzHeaders } = await import('../security/fuzz-headers.js');
  const { fuzzMacaroons, fuzzInvoices } = await import('../security/fuzz-parsers.js');
  const { fuzzRegistry } = await import('../security/fuzz-registry.js');
  const { fuzzClient } = await import('../security/fuzz-client.js');
  const run = {
    headers: fuzzHeaders,
    macaroons: fuzzMacaroons,
    invoices: fuzzInvoices,
    registry: fuzzRegistry,
    client: fuzzClient,
  }[target];
  return run(SEED, CASES);
}

/** One target in its own process, so each peak RSS is that target's alone. */
function child(target: Target): Promise<FuzzTally & { peakRssMb: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--target', target],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: process.env,
      },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`fuzz target ${target} exited ${code} without a result: ${out.slice(-2000)}`));
      }
    });
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const i = process.argv.indexOf('--target');
  if (i >= 0) {
    const target = process.argv[i + 1] as Target;
    const started = performance.now();
    const t = await runTarget(target);
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(
      JSON.stringify({ ...t, peakRssMb, seconds: Math.round((performance.now() - started) / 1000) }),
    );
    process.exit(0);
  }
  const load = await settledLoad();
  const unknown = CHOSEN.filter((t) => !TARGETS.includes(t));
  if (unknown.length)
    throw new Error(`unknown FUZZ_TARGETS ${unknown.join(',')}; targets: ${TARGETS.join(',')}`);
  const queue = [...CHOSEN];
  const results = new Map<Target, Awaited<ReturnType<typeof child>>>();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        const r = await child(t);
        console.log(`${t}: ${fmt(r.cases)} cases in ${r.seconds} s`);
        results.set(t, r);
        write(results, load);
      }
    }),
  );
  const bad = [...results.values()].some((r) => r.status5xx + r.crashes + r.hangs + r.forgeries > 0);
  process.exit(bad ? 1 : 0);
}

/** Memory whose heap grows by more than this from the 30 % checkpoint to the end (and by more than FLAT_SHARE of it) is "growing". */
const FLAT_MB = 2;
const FLAT_SHARE = 0.05;

/** The memory curve of one target: heap after a full GC and RSS at each checkpoint, and whether the heap stays flat. */
function memoryNote(target: string, memory: MemorySample[]): string {
  const at = memory.map((m) => fmt(m.cases)).join(' / ');
  const heap = memory.map((m) => fmt(m.heapMb)).join(' / ');
  const rss = memory.map((m) => fmt(m.rssMb)).join(' / ');
  const base = memory.find((m) => m.cases >= ((memory.at(-1)?.cases ?? 0) * 3) / 10) ?? memory[0];
  const last = memory.at(-1);
  if (!base || !last) return `${target} memory: not sampled`;
  const growth = last.heapMb - base.heapMb;
  const flat = growth <= Math.max(FLAT_MB, base.heapMb * FLAT_SHARE);
  const gc = memory.every((m) => m.afterGc) ? 'after a full GC' : 'without a forced GC';
  return (
    `${target} memory at ${at} cases: heap ${gc} ${heap} MB, RSS ${rss} MB; heap ${growth >= 0 ? '+' : ''}${fmt(growth)} MB ` +
    `from case ${fmt(base.cases)} to ${fmt(last.cases)}: ${flat ? 'flat' : 'grows with the cases'}`
  );
}

/**
 * Writes bench-results/fuzz.json with the targets finished so far, in target order; each target's note
 * carries its own cases, seed and date, since targets not run keep their notes from an earlier run.
 */
function write(results: Map<Target, Awaited<ReturnType<typeof child>>>, load: number): void {
  const notes: string[] = [];
  const { commit, dirty } = checkout(ROOT);
  const at = commit ? ` at ${commitLabel(commit, dirty)}` : '';
  const run = `seed ${SEED}, run ${new Date().toISOString().slice(0, 10)}${at}`;
  for (const target of TARGETS) {
    const r = results.get(target);
    if (!r) {
      notes.push(...(EARLIER.get(target) ?? []));
      continue;
    }
    const outcomes = Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
    notes.push(
      `${r.target}: ${fmt(r.cases)} cases (${run}), ${fmt(r.status5xx)} 5xx, ${fmt(r.crashes)} crashes, ${fmt(r.hangs)} hangs, ` +
        `${fmt(r.forgeries)} forgeries accepted, peak RSS ${fmt(r.peakRssMb)} MB, ${r.seconds} s (outcomes: ${outcomes})`,
      memoryNote(r.target, r.memory),
    );
    for (const p of r.problems) notes.push(`${r.target} problem: ${p}`);
  }
  writeResults(
    {
      bench: 'fuzz',
      command: 'npm run bench -- fuzz',
      settings: {
        'cases per target, this run (each note gives its own)': CASES,
        'seed, this run': SEED,
        'targets in parallel': PARALLEL,
        targets: `${results.size} of ${CHOSEN.length} finished${EARLIER.size ? `; ${[...EARLIER.keys()].join(', ')} from an earlier run` : ''}`,
      },
      tables: [],
      notes,
    },
    load,
  );
}

await main();
