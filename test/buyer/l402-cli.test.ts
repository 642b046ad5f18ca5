/**
 * `npm run l402` as a user runs it: usage is checked before anything
 * connects (one line on stderr naming the problem, exit 2), the help says how
 * to run it, and a silent LND node is announced instead of waited on quietly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';

const L402 = 'agents/cli.ts';
/** No such file: a usage check that came after loading the network would fail on it instead. */
const NO_NETWORK = ['--network', '/nonexistent/network.json'];
const dirs: string[] = [];
afterAll(async () => {
  killStartedClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('l402 CLI usage', () => {
  it.concurrent.each([
    { what: 'an unknown flag', args: ['fetch', 'http://x', '--bogus'], message: "Unknown option '--bogus'" },
    {
      what: 'an unknown command',
      args: ['bogus'],
      message: 'unknown command "bogus" (the one command is fetch)',
    },
    { what: 'no command', args: [], message: 'missing command: l402 fetch <url>' },
    { what: 'fetch without a URL', args: ['fetch'], message: 'missing <url> after fetch' },
    {
      what: 'a URL that is not http(s)',
      args: ['fetch', 'notaurl'],
      message: '<url> must be an http:// or https:// URL, got "notaurl"',
    },
    {
      what: 'an extra argument after the URL',
      args: ['fetch', 'http://x', 'extra'],
      message: 'unexpected argument "extra" after the URL',
    },
    {
      what: 'an empty --max-price-msat (it read as 0)',
      args: ['fetch', 'http://x', '--max-price-msat', ''],
      message: '--max-price-msat must not be empty',
    },
    {
      what: 'a fractional --max-fee-msat',
      args: ['fetch', 'http://x', '--max-fee-msat', '1.5'],
      message: '--max-fee-msat must be an integer of at least 0, got "1.5"',
    },
    {
      what: 'a --header without a colon',
      args: ['fetch', 'http://x', '--header', 'nocolon'],
      message: `--header wants 'Name: value', got "nocolon"`,
    },
  ])(
    'refuses $what before connecting: that one line on stderr, nothing on stdout, exit 2',
    async ({ args, message }) => {
      const r = await runCli(L402, [...args, ...NO_NETWORK]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `${message}; run with --help for the options\n` });
    },
  );

  it('--help prints the npm command and every flag including -h, --help on stdout, exit 0', async () => {
    const r = await runCli(L402, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('usage: npm run l402 -- fetch <url> [options]');
    expect(r.stdout).toMatch(/^ {2}-h, --help {12}show this help$/m);
  });
});

describe('l402 CLI and a silent LND node', () => {
  it('says on stderr, within a few seconds, that it keeps retrying the node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-cli-'));
    dirs.push(dir);
    // A placeholder certificate and macaroon are enough: nothing answers at port 1.
    await writeFile(join(dir, 'tls.cert'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await writeFile(join(dir, 'admin.macaroon'), 'abcd');
    const node = {
      name: 'buyer-1',
      role: 'buyer',
      restUrl: 'https://127.0.0.1:1',
      tlsCertPath: 'tls.cert',
      macaroonPath: 'admin.macaroon',
      pubkey: `02${'a'.repeat(64)}`,
      p2p: '127.0.0.1:9735',
    };
    const network = join(dir, 'network.json');
    await writeFile(
      network,
      JSON.stringify({
        version: 1,
        kind: 'native',
        network: 'regtest',
        createdAt: '2026-01-01T00:00:00Z',
        nodes: [node],
      }),
    );
    const cli = startCli(L402, [
      'fetch',
      'http://127.0.0.1:9/x',
      '--network',
      network,
      '--tokens',
      join(dir, 't.json'),
    ]);
    const [line] = await cli.waitFor(/^connecting .*$/m, 'err');
    expect(line).toBe(
      'connecting to LND node buyer-1 at https://127.0.0.1:1: no answer yet, retrying for up to 30 s',
    );
    expect(cli.out()).toBe('');
    cli.child.kill('SIGKILL');
  }, 15_000);
});
