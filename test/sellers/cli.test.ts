/**
 * `npm run seller` as a user runs it: bad flags are refused before anything
 * starts (one line naming the flag, exit 2), and `--demo` reports whatever
 * its purchase came to while the seller keeps serving.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';

const SELLER = 'services/sellers/cli.ts';
const dirs: string[] = [];
afterAll(async () => {
  killStartedClis();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const HELP = '; run with --help for the options\n';

describe('seller CLI usage errors', () => {
  it.concurrent.each([
    {
      what: 'an empty --host (it would listen on every interface)',
      args: ['--archetype', 'compute', '--host', ''],
      message: '--host must not be empty',
    },
    {
      what: 'an empty --config',
      args: ['--archetype', 'compute', '--config', ''],
      message: '--config must not be empty',
    },
    {
      what: 'a --port above 65535',
      args: ['--archetype', 'compute', '--port', '70000'],
      message: '--port must be a port number 0..65535, got "70000"',
    },
    {
      what: 'a --public-url that is not a URL',
      args: ['--archetype', 'compute', '--public-url', 'notaurl'],
      message: '--public-url must be an http:// or https:// URL, got "notaurl"',
    },
    {
      what: 'a --public-url with a path the listing would drop',
      args: ['--archetype', 'compute', '--public-url', 'https://example.com/shop'],
      message: '--public-url must be http(s)://host[:port] with no path, got "https://example.com/shop"',
    },
    {
      what: 'a --registry that is not a URL',
      args: ['--archetype', 'compute', '--registry', 'notaurl'],
      message: '--registry must be an http:// or https:// URL, got "notaurl"',
    },
    {
      what: '--node on the embedded network',
      args: ['--archetype', 'compute', '--node', 'foo'],
      message: '--node needs --network FILE (the embedded network has no named nodes)',
    },
    {
      what: '--demo with a network file',
      args: ['--archetype', 'compute', '--network', '/nonexistent/network.json', '--demo'],
      message: '--demo needs the embedded network (no --network)',
    },
    {
      what: 'a missing --archetype',
      args: ['--port', '0'],
      message: '--archetype is required (one of: data-feed, compute, llm-summary)',
    },
    {
      what: 'an unknown --archetype',
      args: ['--archetype', 'oracle'],
      message: '--archetype must be one of data-feed, compute, llm-summary, got "oracle"',
    },
    {
      what: 'an unknown flag',
      args: ['--archetype', 'compute', '--bogus'],
      message: "Unknown option '--bogus'",
    },
  ])('refuses $what: that one line on stderr, nothing on stdout, exit 2', async ({ args, message }) => {
    const r = await runCli(SELLER, args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: message + HELP });
  });
});

describe('seller CLI --demo', () => {
  it('against a wrong-payee seller refuses the invoice before paying, and the seller keeps serving until SIGTERM', async () => {
    const seller = startCli(SELLER, [
      '--archetype',
      'compute',
      '--port',
      '0',
      '--demo',
      '--adversarial',
      'wrong-payee',
    ]);
    const [, url, advertised] = await seller.waitFor(
      /^manifest: (\S+)\/\.well-known\/l402\.json {3}node: ([0-9a-f]{66})/m,
    );
    const [line] = await seller.waitFor(/^demo: .*$/m);
    expect(line).toMatch(
      new RegExp(
        `^demo: refused the invoice before paying: it pays node 0[23][0-9a-f]{64}, not the advertised ${advertised}$`,
      ),
    );
    expect(line).not.toContain(`pays node ${advertised}`);
    expect((await fetch(`${url}/.well-known/l402.json`)).status).toBe(200);
    seller.child.kill('SIGTERM');
    expect(await seller.exited()).toBe(0);
    expect(seller.err()).toBe('');
  }, 30_000);

  it('reports a payment that failed (price above the demo channel) without presenting a token, and keeps serving', async () => {
    const seller = startCli(SELLER, [
      '--archetype',
      'compute',
      '--port',
      '0',
      '--demo',
      '--price-msat',
      '2000000000',
    ]);
    const [, url] = await seller.waitFor(/listening on (\S+):/);
    const [line] = await seller.waitFor(/^demo: .*$/m);
    expect(line).toMatch(
      /^demo: payment failed: insufficient_balance \(.+\); nothing to present, no call made$/,
    );
    expect((await fetch(`${url}/.well-known/l402.json`)).status).toBe(200);
    expect(seller.err()).toBe('');
  }, 30_000);

  it('with the archetype from --config alone, buys one call and prints the 200 answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seller-cli-'));
    dirs.push(dir);
    const config = join(dir, 'seller.json');
    await writeFile(config, JSON.stringify({ archetype: 'compute', price: { kind: 'fixed', msat: 7000 } }));
    const seller = startCli(SELLER, ['--config', config, '--port', '0', '--demo']);
    const [line] = await seller.waitFor(/^demo: .*$/m);
    expect(line).toBe(
      'demo: 402 for 7000 msat, paid in 1 hop(s), then 200: {"count":4,"sum":10,"mean":2.5,"min":1,"max":4,"median":2.5,"stddev":1.118033988749895}',
    );
  }, 30_000);
});

describe('seller CLI config refusals', () => {
  /** A seller config file holding `config`. */
  async function configFile(config: object): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'seller-cli-config-'));
    dirs.push(dir);
    const path = join(dir, 'seller.json');
    await writeFile(path, JSON.stringify(config));
    return path;
  }

  it.concurrent.each([
    {
      what: 'a --config rate limit window under 1 ms, naming the field',
      config: { archetype: 'data-feed', rateLimit: { calls: 1, perMs: 0.5 } },
      args: [],
      message:
        'invalid seller config: rateLimit.perMs: expected at least 1 ms: the clock counts whole milliseconds',
    },
    {
      what: 'a --config pass priced past the largest safe integer, naming the tier',
      config: {
        archetype: 'data-feed',
        price: { kind: 'fixed', msat: 100_000_000_000_000 },
        tiers: [{ kind: 'single' }, { kind: 'pass', durationSec: 31_536_000 }],
      },
      args: [],
      message:
        'invalid seller config: tiers[1]: its price comes to 52560000000000000000 msat (525600 minutes at ' +
        '100000000000000 msat, a call a minute), above the most a price can be (9007199254740991 msat); ' +
        'lower price.msat, or give this tier its own priceMsat',
    },
    {
      what: 'a --max-calls-given-back above every quota, naming the flag',
      config: { archetype: 'data-feed' },
      args: ['--max-calls-given-back', '5'],
      message:
        'invalid seller config: --max-calls-given-back: expected at most 1, the most calls a token of this ' +
        'seller holds (a quota never gets back more calls than it holds)',
    },
    {
      what: '--max-calls-given-back beside a no-delivery seller, naming the flag in the advice too',
      config: { archetype: 'data-feed', adversarial: { mode: 'no-delivery' } },
      args: ['--max-calls-given-back', '1'],
      message:
        'invalid seller config: --max-calls-given-back: a no-delivery seller gives no call back; ' +
        'drop --max-calls-given-back or the adversarial mode',
    },
    {
      what: 'a --price-msat that an overcharging seller triples past the largest safe integer, naming the flag',
      config: { archetype: 'data-feed', adversarial: { mode: 'overcharge' } },
      args: ['--price-msat', '9007199254740991'],
      message:
        'invalid seller config: tiers[0]: its price comes to 27021597764222972 msat (the unit price ' +
        '9007199254740991 msat, × the overcharge factor 3), above the most a price can be ' +
        '(9007199254740991 msat); lower --price-msat, or give this tier its own priceMsat',
    },
  ])('refuses $what: exit 2, that one line on stderr', async ({ config, args, message }) => {
    const r = await runCli(SELLER, ['--config', await configFile(config), '--port', '0', ...args]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: message + HELP });
  });
});
