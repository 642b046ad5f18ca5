import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretOrigin } from '../market/world.js';

/**
 * The code a run was made with: the git commit and whether the work tree had uncommitted
 * changes. Outside a git checkout (a copy, a package) neither is known: the commit is
 * `unknown` and `dirty` is null, never a claim that the tree was clean.
 */
export interface CodeVersion {
  commit: string;
  dirty: boolean | null;
}

/** Reads the git commit and dirty flag of `root`; `unknown` and null where git cannot tell. */
export function codeVersion(root: string): CodeVersion {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let commit: string;
  try {
    commit = git('rev-parse', 'HEAD').trim();
  } catch {
    return { commit: 'unknown', dirty: null };
  }
  try {
    return { commit, dirty: git('status', '--porcelain', '--untracked-files=no').trim() !== '' };
  } catch {
    return { commit, dirty: null };
  }
}

/** The code as a report shows it: the commit, and whether the tree had uncommitted changes when known. */
export function codeText(code: CodeVersion): string {
  if (code.commit === 'unknown') return 'unknown (not a git checkout)';
  if (code.dirty === null) return `${code.commit} (uncommitted changes unknown)`;
  return `${code.commit}${code.dirty ? ' (uncommitted changes)' : ''}`;
}

/** The versions of the packages that shape a run's numbers (as installed, not as declared). */
export function packageVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pkg of ['@langchain/langgraph', '@langchain/core', 'hono', 'zod', 'vega-lite']) {
    try {
      const json = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      };
      out[pkg] = json.version;
    } catch {
      out[pkg] = 'unknown';
    }
  }
  return out;
}

/** Run metadata that varies between identical runs (wall time, versions, host); kept out of summary.json. */
export interface RunMeta {
  scenario: string;
  /** sha256 of the resolved scenario (the same as summary.json's). */
  scenarioHash: string;
  /** The scenario as it ran: defaults filled in, overrides applied. */
  resolvedScenario: unknown;
  seed: string | number;
  backend: string;
  /** Where the run's keys and preimages came from: `seeded` (from `seed`: not secret) or `os`. */
  secrets: SecretOrigin;
  /** The git commit of the code and whether it had uncommitted changes. */
  code: CodeVersion;
  startedAt: string;
  wallMs: number;
  node: string;
  platform: string;
  versions: Record<string, string>;
  overrides: Record<string, unknown>;
  purchasesPerSec: number;
  peakRssBytes: number;
  engineSteps: number;
  unfinished: number;
}

/** The part of meta.json a report shows: the code, Node and package versions, and the secrets' origin (absent before it was recorded). */
export type Provenance = Pick<RunMeta, 'code' | 'node' | 'versions'> & Partial<Pick<RunMeta, 'secrets'>>;

/** Where a run's secrets came from, as the console and report.html say it. */
export function secretsText(secrets: SecretOrigin, seed: string | number): string {
  return secrets === 'seeded'
    ? `seeded from seed ${seed}: anyone who knows the seed can recompute every key and preimage of this run (simulation only)`
    : 'the OS CSPRNG: not recomputable from the seed';
}
