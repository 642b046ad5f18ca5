import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Why redis-server cannot run here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0
    ? 'redis-server is not installed (apt-get install -y redis-server)'
    : undefined;
}

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A redis-server of this test file's own on a loopback port, in a temporary directory, without persistence. */
export interface TestRedis {
  port: number;
  url(db: number): string;
  client(db: number): Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sim-queue-redis-'));
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const clients: Redis[] = [];
  const client = (db: number) => {
    const c = new Redis({ host: '127.0.0.1', port, db, lazyConnect: true, connectTimeout: 2000 });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  const probe = client(0);
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (i >= 50) throw new Error(`redis-server on port ${port} did not answer: ${(err as Error).message}`);
      probe.disconnect();
      await sleep(100);
    }
  }
  return {
    port,
    url: (db) => `redis://127.0.0.1:${port}/${db}`,
    client,
    async stop() {
      for (const c of clients) c.disconnect();
      proc.kill('SIGTERM');
      await new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real CLI in a child process (`tsx sim/cli.ts …`), its stderr lines collected as they come. */
export interface Cli {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  /** Resolves with the first stderr line matching `re` (rejects if the process exits first). */
  line(re: RegExp): Promise<string>;
}

export function cli(args: string[]): Cli {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let rest = '';
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((x) => x.re.test(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      for (const w of waiters.splice(0))
        w.reject(new Error(`exited (${code}) before ${w.re}:\n${lines.join('\n')}`));
      resolve(code);
    }),
  );
  return {
    proc,
    lines,
    exited,
    line: (re) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      if (proc.exitCode !== null)
        return Promise.reject(new Error(`exited before ${re}:\n${lines.join('\n')}`));
      return new Promise((resolve, reject) => waiters.push({ re, resolve, reject }));
    },
  };
}

/** Every file under `dir` with the SHA-256 of its bytes, by relative path: two sweeps' outputs compare with toEqual. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * A describe block that needs redis-server. Where it is missing the block is one failing test
 * saying so (a skipped queue test would prove nothing); `.ci/run` installs it.
 */
export function redisSuite(name: string, body: () => void): void {
  const unavailable = redisUnavailable();
  describe(
    name,
    unavailable
      ? () =>
          it('needs redis-server', () => {
            throw new Error(unavailable);
          })
      : body,
  );
}

// A SimLN sim_network of three routers; `fee` sets the first channel's base fees.
export const simLn = (fee: number) =>
  JSON.stringify({
    sim_network: [
      {
        scid: 1,
        capacity_msat: 4_000_000_000,
        node_1: { pubkey: '02aa', alias: 'alpha', base_fee: fee, fee_rate_prop: 50, cltv_expiry_delta: 40 },
        node_2: { pubkey: '02bb', alias: 'beta', base_fee: fee, fee_rate_prop: 70, cltv_expiry_delta: 40 },
      },
      {
        scid: 2,
        capacity_msat: 6_000_000_000,
        node_1: { pubkey: '02bb', alias: 'beta', base_fee: 900, fee_rate_prop: 90, cltv_expiry_delta: 40 },
        node_2: { pubkey: '02cc', alias: 'gamma', base_fee: 300, fee_rate_prop: 30, cltv_expiry_delta: 40 },
      },
    ],
  });
