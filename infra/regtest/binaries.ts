import { execFile } from 'node:child_process';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { withFileLock } from './file-lock.js';
import type { GoTarget } from './go-targets.js';
import { LabError } from '../errors.js';

const run = promisify(execFile);

/** The cache outside the repo: `$L402_LAB_CACHE` or `~/.cache/l402-lab`. */
export function cacheDir(): string {
  return process.env.L402_LAB_CACHE ?? join(homedir(), '.cache', 'l402-lab');
}

/** Why a pinned Go binary could not be built. */
export type BuildErrorCode = 'go_missing' | 'build_failed';

export interface BuildDeps {
  clock: Clock;
  logger?: Logger;
  /** Overrides `cacheDir()`. */
  cache?: string;
}

/** The installed Go version (`go1.26.8`), or `undefined` when there is no `go` on PATH. */
export async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('go', ['env', 'GOVERSION']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Path of a target's binary when it exists and is the pinned version; otherwise `undefined`. */
export async function existingBinary(target: GoTarget, cache = cacheDir()): Promise<string | undefined> {
  const path = join(cache, 'bin', target.name);
  try {
    await access(path);
    // Our builds leave a stamp; binaries built by hand are asked for their version.
    const stamp = await readFile(`${path}.version`, 'utf8').catch(() => undefined);
    if (stamp !== undefined) return stamp.trim() === stampOf(target) ? path : undefined;
    return target.versionPattern.test(await versionOutput(target, path)) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure every target's pinned binary is in `<cache>/bin`, building the
 * missing ones (one build at a time across processes, via a lock file).
 * Returns name → path.
 */
export async function ensureBinaries(
  targets: readonly GoTarget[],
  deps: BuildDeps,
): Promise<Record<string, string>> {
  const cache = deps.cache ?? cacheDir();
  const log = deps.logger ?? silentLogger;
  const out: Record<string, string> = {};
  const missing: GoTarget[] = [];
  for (const t of targets) {
    const path = await existingBinary(t, cache);
    if (path) out[t.name] = path;
    else missing.push(t);
  }
  if (missing.length === 0) return out;
  const go = await goVersion();
  if (!go) {
    throw new LabError(
      'go_missing',
      `need ${missing.map((t) => `${t.name} ${t.version}`).join(', ')} but Go is not installed: ` +
        `install Go (https://go.dev/dl, ≥ 1.24) or use Docker (npm run network:up -- --docker) or Polar.`,
    );
  }
  await mkdir(join(cache, 'bin'), { recursive: true });
  await withFileLock(join(cache, 'build.lock'), { clock: deps.clock, timeoutMs: 60 * 60_000 }, async () => {
    for (const t of missing) {
      // Another process may have built it while we waited for the lock.
      const done = await existingBinary(t, cache);
      if (done) {
        out[t.name] = done;
        continue;
      }
      const started = deps.clock.now();
      log.info({ target: t.name, version: t.version, go }, 'building (one-off, takes minutes for lnd)');
      out[t.name] = await build(t, cache);
      log.info({ target: t.name, seconds: Math.round((deps.clock.now() - started) / 1000) }, 'built');
    }
  });
  return out;
}

async function build(t: GoTarget, cache: string): Promise<string> {
  const bin = join(cache, 'bin');
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' };
  const tags = [
    ...(t.tags?.length ? [`-tags=${t.tags.join(',')}`] : []),
    ...(t.ldflags ? [`-ldflags=${t.ldflags}`] : []),
  ];
  try {
    if (t.how === 'install') {
      await run('go', ['install', '-trimpath', ...tags, `${t.pkg}@${t.version}`], {
        env: { ...env, GOBIN: bin },
        maxBuffer: 64 << 20,
      });
    } else {
      const dir = join(cache, 'build', t.name);
      await prepareWrapper(t, dir, env);
      await run('go', ['build', '-mod=mod', '-trimpath', ...tags, '-o', join(bin, t.name), t.pkg], {
        cwd: dir,
        env,
        maxBuffer: 64 << 20,
      });
    }
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw new LabError(
      'build_failed',
      `building ${t.name} ${t.version} failed: ${stderr.trim().split('\n').slice(-15).join('\n') || String(cause)}`,
      { cause },
    );
  }
  const path = join(bin, t.name);
  const reported = await versionOutput(t, path);
  if (!t.versionPattern.test(reported)) {
    throw new LabError(
      'build_failed',
      `${t.name} built but does not report version ${t.version}: ${reported}`,
    );
  }
  await writeFile(`${path}.version`, stampOf(t) + '\n');
  return path;
}

/** What a binary says about its version: its own output, or Go's build info for `buildinfo` targets. */
async function versionOutput(t: GoTarget, path: string): Promise<string> {
  const { stdout, stderr } =
    t.versionFrom === 'buildinfo'
      ? await run('go', ['version', '-m', path], { timeout: 10_000, maxBuffer: 16 << 20 })
      : await run(path, [...t.versionArgs], { timeout: 10_000 });
  return stdout + stderr;
}

function stampOf(t: GoTarget): string {
  return `${t.pkg}@${t.version} tags=${(t.tags ?? []).join(',')}${t.ldflags ? ` ldflags=${t.ldflags}` : ''}`;
}

/** Writes the wrapper module: require the target, copy its versioned `replace` directives, import its main package. */
async function prepareWrapper(t: GoTarget, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { stdout } = await run('go', ['mod', 'download', '-json', `${t.module}@${t.version}`], { env });
  const info = JSON.parse(stdout) as { GoMod?: string; Error?: string };
  if (!info.GoMod) throw new Error(`go mod download ${t.module}@${t.version}: ${info.Error ?? 'no go.mod'}`);
  const upstream = await readFile(info.GoMod, 'utf8');
  const goLine = /^go\s+(\S+)/m.exec(upstream)?.[1] ?? '1.24';
  const replaces = parseReplaces(upstream);
  const goMod = [
    `module l402lab/build/${t.name}`,
    '',
    `go ${goLine}`,
    '',
    `require ${t.module} ${t.version}`,
    '',
    ...(replaces.length ? ['replace (', ...replaces.map((r) => `\t${r}`), ')', ''] : []),
  ].join('\n');
  await writeFile(join(dir, 'go.mod'), goMod);
  await writeFile(join(dir, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${t.pkg}"\n`);
}

/**
 * The `replace` directives of a go.mod that point at another module version
 * (local-path replaces only make sense inside the upstream repo and are dropped).
 */
export function parseReplaces(goMod: string): string[] {
  const lines: string[] = [];
  const text = goMod.replace(/\/\/.*$/gm, '');
  for (const m of text.matchAll(/^replace\s*\(([\s\S]*?)\)/gm)) lines.push(...m[1]!.split('\n'));
  for (const m of text.matchAll(/^replace\s+([^(\n][^\n]*)$/gm)) lines.push(m[1]!);
  return lines.map((l) => l.trim()).filter((l) => /^\S+(\s+\S+)?\s+=>\s+[^./\s]\S*\s+v\S+$/.test(l));
}
