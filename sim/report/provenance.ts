import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The code a run was made with: the git commit and whether the work tree had uncommitted changes. */
export interface CodeVersion {
  commit: string;
  dirty: boolean;
}

/** Reads the git commit and dirty flag of `root`; `unknown` outside a git checkout. */
export function codeVersion(root: string): CodeVersion {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no').trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
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

/** The part of meta.json a report shows: the code, Node and package versions. */
export type Provenance = Pick<RunMeta, 'code' | 'node' | 'versions'>;
