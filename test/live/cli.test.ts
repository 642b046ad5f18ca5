import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli, type CliResult } from '../cli/run-cli.js';

/**
 * Each run of the demo CLI is killed after this long: a hang fails the test
 * instead of stalling it. A run takes 2-4 s (mostly start-up); the margin is
 * for a loaded machine running the cases side by side.
 */
const RUN_MS = 45_000;
const MORE = 'run with --help for the options';

const dirs: string[] = [];
afterAll(() => {
  killStartedClis();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'demo-cli-'));
  dirs.push(dir);
  return dir;
}

const DEMO = 'sim/live/cli.ts';

/** Runs `npm run demo -- …` as its own process; `onUrl` is called with the page's URL once printed. */
async function demo(args: string[], onUrl?: (url: string, child: ChildProcess) => void): Promise<CliResult> {
  if (!onUrl) return runCli(DEMO, args, RUN_MS);
  const cli = startCli(DEMO, args);
  const [, url] = await cli.waitFor(/live market view: (http:\/\/\S+)\//);
  onUrl(url!, cli.child);
  return { code: await cli.exited(), stdout: cli.out(), stderr: cli.err() };
}

/** A port held by another listener for the test's duration. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

/** A network.json that parses, with a certificate file but no macaroon file for its node. */
function networkWithoutMacaroon(dir: string): string {
  const file = join(dir, 'network.json');
  writeFileSync(join(dir, 'tls.cert'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const node = {
    name: 'alice',
    role: 'other',
    restUrl: 'https://127.0.0.1:1',
    tlsCertPath: 'tls.cert',
    macaroonPath: 'missing/admin.macaroon',
    pubkey: `02${'a'.repeat(64)}`,
    p2p: '127.0.0.1:9735',
  };
  const desc = {
    version: 1,
    kind: 'native',
    network: 'regtest',
    createdAt: '2026-01-01T00:00:00Z',
    nodes: [node],
  };
  writeFileSync(file, JSON.stringify(desc));
  return file;
}

const SHORT = ['--set', 'durationSec=5', '--speed', '100'];

// Each case is its own process, mostly start-up time: they run side by side.
describe.concurrent('npm run demo on the command line', { timeout: RUN_MS + 15_000 }, () => {
  it('a port in use exits 1 with "port N is in use; pass --port N…" and leaves the files already in --out byte-identical', async () => {
    const out = tempDir();
    const before = { 'events.jsonl': '{"t":0,"type":"old"}\n', 'purchases.csv': 'id,outcome\n1,success\n' };
    for (const [name, text] of Object.entries(before)) writeFileSync(join(out, name), text);
    const held = await holdPort();
    try {
      const r = await demo(['--port', String(held.port), '--out', out, ...SHORT]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `port ${held.port} is in use; pass --port N (or --port 0 for a free one)\n`,
      });
    } finally {
      held.server.close();
    }
    expect(readdirSync(out).sort()).toEqual(['events.jsonl', 'purchases.csv']);
    for (const [name, text] of Object.entries(before))
      expect(readFileSync(join(out, name), 'utf8')).toBe(text);
  });

  it('a run that fails after the page is up stops the server by itself and exits 1 with the error and what to do', async () => {
    const dir = tempDir();
    const network = networkWithoutMacaroon(dir);
    const macaroon = join(dir, 'missing/admin.macaroon');
    let url = '';
    const r = await demo(
      ['--backend', 'regtest', '--network', network, '--port', '0', '--out', join(dir, 'run')],
      (u) => {
        url = u;
      },
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `the run failed: cannot read macaroon at ${macaroon}: ENOENT: no such file or directory, stat '${macaroon}'\n` +
        'the demo has stopped; check the network with `npm run network:status`, then run the demo again\n',
    );
    await expect(fetch(`${url}/api/snapshot`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });

  it('a --network file that does not exist exits 1 before serving anything or creating --out', async () => {
    const dir = tempDir();
    const r = await demo([
      '--backend',
      'regtest',
      '--network',
      join(dir, 'nope.json'),
      '--port',
      '0',
      '--out',
      join(dir, 'run'),
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (not_found): cannot read ${join(dir, 'nope.json')}: bring a network up with \`npm run network:up\` or attach one with \`npm run network:attach -- --polar <dir>\`\n`,
    });
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('an --out that is a regular file exits 1 before serving anything and leaves the file as it was', async () => {
    const dir = tempDir();
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me\n');
    const r = await demo(['--out', file, '--port', '0', ...SHORT]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_out_dir): --out ${file} is not a directory (a file is in the way); pass --out DIR, a directory that exists or can be created\n`,
    });
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('a --replay directory with a damaged events.jsonl exits 1 with "error (bad_run_file): …" as sim report prints it, before serving anything', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'events.jsonl'), 'not json\n');
    const r = await demo(['--replay', dir, '--port', '0']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error (bad_run_file): ${join(dir, 'events.jsonl')} line 1: not JSON; replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)\n`,
    });
  });

  it('an empty --port or --replay exits 2 naming the option, before creating --out', async () => {
    const out = join(tempDir(), 'never');
    const runs = await Promise.all(
      ['port', 'replay'].map(async (name) => ({
        name,
        r: await demo([`--${name}`, '', '--out', out]),
      })),
    );
    for (const { name, r } of runs)
      expect(r).toEqual({ code: 2, stdout: '', stderr: `--${name} must not be empty; ${MORE}\n` });
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown option exits 2 with the parser message and "run with --help for the options"', async () => {
    const r = await demo(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Unknown option '--bogus'; ${MORE}\n`);
  });

  it('a bad option value exits 2 naming the option and pointing to --help', async () => {
    const r = await demo(['--port', '99999']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `--port must be a port number 0..65535, got "99999"; ${MORE}\n`,
    });
  });

  it('a second demo on the --out a running demo writes exits 1 with the out_dir_busy line sim run prints, before serving anything; the first, stopped, keeps its run and leaves no lock', async () => {
    const out = join(tempDir(), 'run');
    let pid = 0;
    let second: CliResult | undefined;
    const first = await demo(['--port', '0', '--out', out, '--set', 'durationSec=3600'], (_url, child) => {
      pid = child.pid!;
      void demo(['--port', '0', '--out', out, ...SHORT]).then((r) => {
        second = r;
        child.kill('SIGTERM');
      });
    });
    expect(second).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `error (out_dir_busy): --out ${out} is in use: process ${pid} is writing a sweep or a run there, ` +
        `and a run writing there too would mix their files; give another --out, or wait for that process to end ` +
        `(a lock left in ${out}/out.lock by a process that died is taken over)\n`,
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${out} holds a partial run`);
    expect(readdirSync(out).sort()).toEqual([
      'events.jsonl',
      'meta.json',
      'purchases.csv',
      'report.html',
      'summary.json',
      'tasks.csv',
    ]);
  });

  it('a demo whose run has finished gives its --out up while its page stays: a second demo there runs to its end', async () => {
    const out = join(tempDir(), 'run');
    const finished = /run finished; files in /;
    const first = startCli(DEMO, ['--port', '0', '--out', out, ...SHORT]);
    await first.waitFor(finished);
    const second = startCli(DEMO, ['--port', '0', '--out', out, ...SHORT]);
    await second.waitFor(finished);
    for (const cli of [second, first]) cli.child.kill('SIGTERM');
    expect([await second.exited(), second.err(), await first.exited(), first.err()]).toEqual([0, '', 0, '']);
    expect(existsSync(join(out, 'out.lock'))).toBe(false);
  });

  it('a live run serves the page until SIGTERM, then exits 0', async () => {
    const out = join(tempDir(), 'run');
    mkdirSync(out);
    let status = 0;
    const r = await demo(['--port', '0', '--out', out, ...SHORT], (url, child) => {
      void fetch(`${url}/api/snapshot`, { signal: AbortSignal.timeout(5_000) }).then((res) => {
        status = res.status;
        child.kill('SIGTERM');
      });
    });
    expect(status).toBe(200);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^live market view: http:\/\/127\.0\.0\.1:\d+\/ {2}\(Ctrl-C to stop\)\n/);
  });
});
