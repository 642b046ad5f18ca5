/**
 * What git says about the checkout a bench runs in or a check reads: the
 * commit and whether the tree differs from it (recorded with each bench's
 * JSON), and the history behind it (to tell whether a bench's JSON is older
 * than the code it times). Every query answers "unknown" (null) outside a git
 * checkout, or when git is missing, instead of throwing.
 */
import { execFileSync } from 'node:child_process';

/** Output of `git <args>` in `root`, trimmed; null when git fails (no checkout, no git, unknown commit). */
function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

/** The checkout's state as a bench's JSON records it. */
export interface Checkout {
  /** Full hash of HEAD; null when not measured in a git checkout. */
  commit: string | null;
  /** Whether files other than the docs and bench results (tracked or untracked) differ from `commit`; null when unknown. */
  dirty: boolean | null;
}

/** A recorded commit as the docs name it: "abc1234", or "abc1234 plus uncommitted changes". */
export function commitLabel(commit: string, dirty: boolean | null | undefined): string {
  return `${commit.slice(0, 7)}${dirty ? ' plus uncommitted changes' : ''}`;
}

/** Changes that do not make a measurement's code differ: results and docs, which benches and docs:tables rewrite between runs. */
const NOT_CODE = [':(exclude)bench-results', ':(exclude)docs', ':(exclude,glob)**/*.md'];

/** HEAD and whether the tree's code is modified. */
export function checkout(root: string): Checkout {
  const commit = git(root, ['rev-parse', '--verify', 'HEAD']);
  if (!commit) return { commit: null, dirty: null };
  const status = git(root, ['status', '--porcelain', '--', '.', ...NOT_CODE]);
  return { commit, dirty: status === null ? null : status !== '' };
}

/** The history a freshness check reads. */
export interface History {
  /** A shallow clone lacks older commits: a recorded commit may be missing without being wrong. */
  shallow: boolean;
  /** Whether `commit` is in this clone. */
  has(commit: string): boolean;
  /** Short hashes of commits after `commit` (reachable from HEAD, not from it) touching `paths`, newest first; null when git fails. */
  since(commit: string, paths: readonly string[]): string[] | null;
}

/** The git history of `root`, or undefined when it is not a git checkout. */
export function history(root: string): History | undefined {
  if (git(root, ['rev-parse', '--verify', 'HEAD']) === null) return undefined;
  return {
    shallow: git(root, ['rev-parse', '--is-shallow-repository']) === 'true',
    has: (commit) => git(root, ['cat-file', '-e', `${commit}^{commit}`]) !== null,
    since: (commit, paths) =>
      git(root, ['log', '--format=%h', `${commit}..HEAD`, '--', ...paths])
        ?.split('\n')
        .filter(Boolean) ?? null,
  };
}
