import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Starts a CLI with tsx and resolves with the first stdout line matching `ready`. */
function start(
  script: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) resolve({ child, match: m });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${err}${out}`)));
  });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));

describe('registry and seller CLIs on real sockets', () => {
  it('a seller self-registers with a signed listing, answers 402 at its URL, and the registry keeps the listing across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-cli-'));
    dirs.push(dir);
    const data = join(dir, 'registry.json');
    const reg = await start(
      'services/registry/cli.ts',
      ['--port', '0', '--data', data, '--probe-interval-ms', '0', '--lab'],
      /listening on (http:\/\/\S+) /,
    );
    const registryUrl = reg.match[1]!;
    const seller = await start(
      'services/sellers/cli.ts',
      ['--archetype', 'data-feed', '--port', '0', '--price-msat', '4000', '--registry', registryUrl],
      /registered as ([0-9a-f]{32})/,
    );
    const id = seller.match[1]!;
    const { listing } = (await (await fetch(`${registryUrl}/listings/${id}`)).json()) as {
      listing: { url: string; tiers: { priceMsat: number }[] };
    };
    expect(listing.tiers[0]!.priceMsat).toBe(4_000);
    const quote = await fetch(listing.url);
    expect(quote.status).toBe(402);
    expect(quote.headers.get('www-authenticate')).toMatch(/^L402 macaroon="[^"]+", invoice="lnbcrt40n1/);

    seller.child.kill('SIGKILL'); // no chance to unregister
    reg.child.kill('SIGTERM');
    expect(await exited(reg.child)).toBe(0);
    const again = await start(
      'services/registry/cli.ts',
      ['--port', '0', '--data', data, '--probe-interval-ms', '0', '--lab'],
      /listening on (http:\/\/\S+) /,
    );
    const res = await fetch(`${again.match[1]}/listings/${id}`);
    expect(res.status).toBe(200);
    again.child.kill('SIGTERM');
    await exited(again.child);
  }, 60_000);

  it('prints the registry usage for --help, and the seller refuses an unknown archetype with exit code 2', async () => {
    const help = spawn(process.execPath, ['--import', 'tsx', 'services/registry/cli.ts', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    help.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await exited(help)).toBe(0);
    expect(out).toMatch(/usage: npm run registry/);
    const bad = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/sellers/cli.ts', '--archetype', 'oracle'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(bad)).toBe(2);
    expect(err).toMatch(/archetype/);
  }, 60_000);
});

describe('registry CLI usage errors', () => {
  it.concurrent.each([
    {
      what: 'an empty --host (it would listen on every interface)',
      args: ['--host', ''],
      message: '--host must not be empty',
    },
    {
      what: 'an empty --port (it would pick a random one)',
      args: ['--port', ''],
      message: '--port must not be empty',
    },
    {
      what: 'a --port above 65535',
      args: ['--port', '70000'],
      message: '--port must be a port number 0..65535, got "70000"',
    },
    {
      what: 'a zero --probe-timeout-ms',
      args: ['--probe-timeout-ms', '0'],
      message: '--probe-timeout-ms must be an integer 1..2147483647, got "0"',
    },
    {
      what: 'a --probe-interval-ms beyond the longest timer',
      args: ['--probe-interval-ms', '99999999999'],
      message: '--probe-interval-ms must be an integer 0..2147483647, got "99999999999"',
    },
    { what: 'an unknown flag', args: ['--bogus'], message: "Unknown option '--bogus'" },
  ])('refuses $what: that one line on stderr, nothing on stdout, exit 2', async ({ args, message }) => {
    const r = await runCli('services/registry/cli.ts', args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${message}; run with --help for the options\n` });
  });
});
