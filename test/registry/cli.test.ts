import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { systemClock } from '../../infra/time/clock.js';
import { RegistryClient } from '../../services/registry/index.js';
import { startNameserver } from './dns-server-fixture.js';
import { listing, signer } from './listing-fixture.js';
import { PUBLIC_ADDRESS } from './lookup-fixture.js';

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

describe('registry CLI name resolution flags', () => {
  it('--nameserver and --max-resolving 1 reach the registration check: a name the nameserver answers is listed, a second one while a name resolves is 503', async () => {
    const ns = await startNameserver({ 'seller.example': [PUBLIC_ADDRESS] }, ['dark.example']);
    const reg = await start(
      'services/registry/cli.ts',
      ['--port', '0', '--probe-interval-ms', '0', '--nameserver', ns.server, '--max-resolving', '1'],
      /listening on (http:\/\/\S+) /,
    );
    const client = new RegistryClient({ baseUrl: reg.match[1]!, fetch: (r) => fetch(r), clock: systemClock });
    const at = (host: string) => ({ ...listing, url: `http://${host}/v1/q` });
    const sign = { retries: 0 };
    expect((await client.register(at('seller.example'), signer, sign)).ok).toBe(true);
    const dark = client.register(at('dark.example'), signer, sign);
    for (let i = 0; i < 400 && ns.queries.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await client.register(at('other.example'), signer, sign)).toEqual({
      ok: false,
      status: 503,
      code: 'resolve_unavailable',
      message:
        'listing url http://other.example/v1/q: the registry is resolving too many host names (1 at once); retry',
    });
    expect(await dark).toMatchObject({ ok: false, status: 503, code: 'resolve_unavailable' });
    // c-ares asks a nameserver that does not answer again before the 5 s limit (on the wall clock here).
    expect([...new Set(ns.queries)]).toEqual([
      'seller.example A',
      'seller.example AAAA',
      'dark.example A',
      'dark.example AAAA',
    ]);
    reg.child.kill('SIGTERM');
    await exited(reg.child);
    await ns.close();
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
    {
      what: 'a --nameserver that is no IP address',
      args: ['--nameserver', '127.0.0.1', '--nameserver', 'dns.example'],
      message:
        '--nameserver "dns.example" is not an IP address; give one as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or [2001:db8::1]:53',
    },
    {
      what: 'a --nameserver port of 0 (c-ares would abort the process)',
      args: ['--nameserver', '127.0.0.1:0'],
      message: '--nameserver "127.0.0.1:0" has port 0, not 1..65535',
    },
    {
      what: 'a zero --max-resolving',
      args: ['--max-resolving', '0'],
      message: '--max-resolving must be an integer of at least 1, got "0"',
    },
  ])('refuses $what: that one line on stderr, nothing on stdout, exit 2', async ({ args, message }) => {
    const r = await runCli('services/registry/cli.ts', args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${message}; run with --help for the options\n` });
  });
});
