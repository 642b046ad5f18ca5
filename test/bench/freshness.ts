/**
 * Whether each bench's JSON is older than the code it times: the commits
 * after the one the JSON records that touch a file the bench reaches through
 * its imports, or package-lock.json. `npm run docs:tables` prints the result
 * as a warning and never fails on it: code changes land before benches are
 * re-run on a quiet machine, and a shallow clone (as CI may make) cannot
 * tell. JSON that records no commit, or one this clone lacks, is reported as
 * unknown.
 */
import { commitLabel, type History } from './git.js';
import type { BenchFile } from './tables.js';

/** One bench's JSON against the history of what it times. */
export type Freshness =
  | { bench: string; state: 'current'; commit: string; dirty: boolean }
  | { bench: string; state: 'stale'; commit: string; dirty: boolean; newer: string[] }
  | { bench: string; state: 'unknown'; why: string };

/** Not counted: it only turns JSON into docs, so a change to it changes no figure. */
export const RENDER_ONLY = 'test/bench/tables.ts';
/** Counted for every bench: the dependencies' versions are part of what is timed. */
export const LOCKFILE = 'package-lock.json';

/**
 * Each file's freshness. `timed(bench)` lists the files that bench reaches
 * (undefined when there is no such bench); `history` is undefined outside a
 * git checkout.
 */
export function freshness(
  files: Iterable<BenchFile>,
  timed: (bench: string) => string[] | undefined,
  history: History | undefined,
): Freshness[] {
  return [...files].map((file): Freshness => {
    const { bench, commit } = file;
    const unknown = (why: string): Freshness => ({ bench, state: 'unknown', why });
    if (commit === undefined) return unknown('no commit recorded (JSON written before benches recorded it)');
    if (commit === null) return unknown('measured outside a git checkout, no commit recorded');
    if (!history) return unknown('not a git checkout here, so no history to compare with');
    if (!history.has(commit))
      return unknown(
        history.shallow
          ? `commit ${commit.slice(0, 7)} is not in this shallow clone (fetch the full history to check)`
          : `commit ${commit.slice(0, 7)} is not in this repository's history`,
      );
    const paths = timed(bench);
    if (!paths) return unknown(`no test/bench/${bench}.bench.ts to say what it times`);
    const newer = history.since(commit, [...paths.filter((p) => p !== RENDER_ONLY), LOCKFILE]);
    if (!newer) return unknown(`git log since ${commit.slice(0, 7)} failed`);
    const dirty = file.dirty === true;
    return newer.length
      ? { bench, state: 'stale', commit, dirty, newer }
      : { bench, state: 'current', commit, dirty };
  });
}

/** One line per bench whose JSON is stale or of unknown age; none when every one is current. */
export function freshnessReport(list: readonly Freshness[]): string[] {
  return list.flatMap((f) => {
    if (f.state === 'current') return [];
    if (f.state === 'unknown') return [`${f.bench}: age unknown: ${f.why}`];
    const n = f.newer.length;
    return [
      `${f.bench}: measured at ${commitLabel(f.commit, f.dirty)}; ` +
        `${n} later ${n === 1 ? 'commit touches' : 'commits touch'} what it times (newest ${f.newer[0]}): ` +
        `re-run npm run bench -- ${f.bench}`,
    ];
  });
}
