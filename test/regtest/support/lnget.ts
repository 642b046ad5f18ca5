/**
 * lnget (lightninglabs' curl-like L402 client, Go) as a real peer: built by
 * our Go builder when the Go module proxy serves it, run against our seller
 * with a regtest lnd paying over gRPC.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../../../infra/log.js';
import { ensureBinaries, existingBinary, goVersion } from '../../../infra/regtest/binaries.js';
import { type GoTarget } from '../../../infra/regtest/go-targets.js';
import type { NodeDesc } from '../../../infra/regtest/network-file.js';
import { systemClock } from '../../../infra/time/clock.js';

const run = promisify(execFile);

/** lnget v1.1.0: its go.mod has `replace` directives like Aperture's, so it is built from a wrapper module. */
export const LNGET: GoTarget = {
  name: 'lnget',
  module: 'github.com/lightninglabs/lnget',
  version: 'v1.1.0',
  pkg: 'github.com/lightninglabs/lnget/cmd/lnget',
  how: 'wrapper',
  versionArgs: [],
  versionPattern: /^\s*(?:mod|dep)\s+github\.com\/lightninglabs\/lnget\s+v1\.1\.0\s/m,
  versionFrom: 'buildinfo',
};

/**
 * Whether lnget can run here: `binary`; `external` when the Go module proxy
 * refuses the module (HTTP 403 or 410: nothing this project can fix);
 * `unavailable` for every other reason (no Go, a proxy that cannot be
 * reached, a failed build), which fails the suite under REQUIRE_REAL_LN=1.
 */
export type LngetAvailability = { binary: string } | { external: string } | { unavailable: string };

/** Finds or builds lnget; asks the module proxy first so an external refusal is told apart from a build failure. */
export async function lngetAvailability(): Promise<LngetAvailability> {
  const present = await existingBinary(LNGET);
  if (present) return { binary: present };
  if (!(await goVersion())) return { unavailable: 'Go is not installed, so lnget v1.1.0 cannot be built' };
  const download = await proxyDownload(LNGET);
  if (download.kind === 'refused') {
    return {
      external:
        `lnget ${LNGET.version} is refused by the Go module proxy (${download.reason}); ` +
        'this is an external unavailability, not a failure of this project, so the suite is skipped ' +
        'even with REQUIRE_REAL_LN=1; it builds and runs as soon as the proxy serves the module',
    };
  }
  if (download.kind === 'failed') {
    return { unavailable: `go mod download of lnget ${LNGET.version} failed: ${download.reason}` };
  }
  try {
    const bins = await ensureBinaries([LNGET], {
      clock: systemClock,
      logger: createLogger({ name: 'lnget-build' }),
    });
    return { binary: bins.lnget! };
  } catch (err) {
    return { unavailable: `building lnget ${LNGET.version} failed: ${(err as Error).message}` };
  }
}

/** What `go mod download` said: served, refused by the registry (403/410), or failed otherwise. */
export type ProxyDownload = { kind: 'served' } | { kind: 'refused' | 'failed'; reason: string };

/**
 * Sorts a failed `go mod download -json` (its stdout and error): only a
 * registry answering 403 Forbidden or 410 Gone is a refusal; a 404, a
 * network error, a timeout or a checksum mismatch is a failure.
 */
export function classifyProxyFailure(stdout: string, message: string): ProxyDownload {
  let reason: string | undefined;
  try {
    reason = (JSON.parse(stdout) as { Error?: string }).Error;
  } catch {
    reason = undefined;
  }
  const text = (reason ?? message).replace(/\s+/g, ' ').trim();
  const refused = /\breading https?:\/\/\S+: (403 Forbidden|410 Gone)\b/.test(text);
  return { kind: refused ? 'refused' : 'failed', reason: text };
}

/** `go mod download` of the pinned version, sorted by `classifyProxyFailure` when it fails. */
async function proxyDownload(t: GoTarget): Promise<ProxyDownload> {
  try {
    await run('go', ['mod', 'download', '-json', `${t.module}@${t.version}`], {
      cwd: tmpdir(),
      timeout: 120_000,
      maxBuffer: 4 << 20,
    });
    return { kind: 'served' };
  } catch (err) {
    return classifyProxyFailure((err as { stdout?: string }).stdout ?? '', (err as Error).message);
  }
}

/** One lnget home: config, token cache and log in a temp dir, paying with one lnd. */
export interface LngetHome {
  dir: string;
  /** Runs `lnget -q <url>` (body to stdout); resolves with exit code, stdout and stderr. Bounded: 90 s. */
  get(url: string): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/** Writes an lnget config that pays from `lnd` (gRPC at `lndGrpc`) with the given ceilings, in sats. */
export async function lngetHome(
  binary: string,
  lnd: Pick<NodeDesc, 'tlsCertPath' | 'macaroonPath'>,
  lndGrpc: string,
  { maxCostSat = 100, maxFeeSat = 10 }: { maxCostSat?: number; maxFeeSat?: number } = {},
): Promise<LngetHome> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-lnget-'));
  const tokens = join(dir, 'tokens');
  await mkdir(tokens, { recursive: true });
  const q = (s: string) => JSON.stringify(s);
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'l402:',
      `  max_cost_sats: ${maxCostSat}`,
      `  max_fee_sats: ${maxFeeSat}`,
      '  payment_timeout: 60s',
      '  auto_pay: true',
      'output:',
      '  format: json',
      '  progress: false',
      'http:',
      '  allow_insecure: true',
      'ln:',
      '  mode: lnd',
      '  lnd:',
      `    host: ${q(lndGrpc)}`,
      `    tls_cert: ${q(lnd.tlsCertPath)}`,
      `    macaroon: ${q(lnd.macaroonPath)}`,
      '    network: regtest',
      'tokens:',
      `  dir: ${q(tokens)}`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    async get(url) {
      try {
        const { stdout, stderr } = await run(
          binary,
          ['--config', config, '--logfile', join(dir, 'lnget.log'), '-q', url],
          // HOME keeps lnget's default directories (~/.lnget) inside the temp dir too.
          { env: { ...process.env, HOME: dir }, cwd: dirname(config), timeout: 90_000, maxBuffer: 4 << 20 },
        );
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
        return {
          code: typeof e.code === 'number' ? e.code : -1,
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? e.message,
        };
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
