/**
 * `npm run seller` with the seller-side settings of its config: negotiation (the rule negotiator,
 * a floor from `floorMsat`, `--floor-msat` or cost + margin, its rounds and `negotiatorRate`),
 * `maxCallsGivenBack` and `holdRefundRate`; bids over real HTTP, bad values refused naming the field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';

const SELLER = 'services/sellers/cli.ts';
const MORE = '; run with --help for the options\n';
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seller-negotiation-'));
});
afterAll(async () => {
  killStartedClis();
  await rm(dir, { recursive: true, force: true });
});

/** Writes a data-feed seller config at 10,000 msat a call with `extra` fields; returns its path. */
async function config(name: string, extra: Record<string, unknown>): Promise<string> {
  const file = join(dir, `${name}.json`);
  const base = { archetype: 'data-feed', price: { kind: 'fixed', msat: 10_000 } };
  await writeFile(file, JSON.stringify({ ...base, ...extra }));
  return file;
}

/** Starts the seller with `args` on a free port; the paid route's URL. */
async function started(args: string[]): Promise<string> {
  const seller = startCli(SELLER, [...args, '--port', '0']);
  const [, url] = await seller.waitFor(/listening on (\S+): GET (\S+)/);
  return `${url}/v1/anomalies`;
}

/** One bid (with the seller's last offer, when given): status, what the body says, and the offer. */
async function bid(url: string, msat: number, offer?: string) {
  const res = await fetch(url, {
    headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}) },
  });
  const body = (await res.json()) as Record<string, unknown>;
  return {
    status: res.status,
    said: `${String(body.reason ?? body.error)}: ${String(body.message)}`,
    round: body.round,
    challenge: res.headers.get('www-authenticate') !== null,
    offer: res.headers.get('l402-offer') ?? undefined,
  };
}

describe('seller CLI negotiation', () => {
  it('a config with costMsat 5,000 + marginPct 50 counters a 2,000 bid at its 7,500 floor, agrees when the offer is taken, and answers 2 bids an hour (negotiatorRate), the third 429', async () => {
    const file = await config('margin', {
      negotiation: {
        costMsat: 5_000,
        marginPct: 50,
        maxRounds: 2,
        negotiatorRate: { calls: 2, perSec: 3600 },
      },
    });
    const url = await started(['--config', file]);
    const first = await bid(url, 2_000);
    expect(first).toMatchObject({
      status: 402,
      said: 'counter_offer: the seller offers 7500 msat; bid that with L402-Offer to take it',
      round: 0,
      challenge: false,
    });
    expect(await bid(url, 7_500, first.offer)).toMatchObject({
      status: 402,
      said: 'offer_accepted: agreed at 7500 msat in round 0',
      challenge: true,
    });
    expect((await bid(url, 9_000)).said).toBe(
      'counter_offer: the seller offers 9500 msat; bid that with L402-Offer to take it',
    );
    expect(await bid(url, 3_000)).toMatchObject({
      status: 429,
      said: expect.stringMatching(
        /^bid_rate_limited: this seller's negotiator answers at most 2 bids per 3600 s; bid again in \d+ s, or take the standing offer of 10000 msat now by bidding it$/,
      ),
    });
  }, 60_000);

  it('--floor-msat 6000 over a config with a cost: a 2,000 bid is countered at 6,000', async () => {
    const file = await config('floor-flag', { negotiation: { costMsat: 9_000 } });
    const url = await started(['--config', file, '--floor-msat', '6000']);
    expect((await bid(url, 2_000)).said).toBe(
      'counter_offer: the seller offers 6000 msat; bid that with L402-Offer to take it',
    );
  }, 60_000);
});

describe('seller CLI refuses bad seller-side settings, naming the field', () => {
  it.concurrent.each([
    {
      what: 'a negotiation with neither floor nor cost',
      fields: { negotiation: {} },
      message:
        'invalid seller config: negotiation: give floorMsat (the lowest price taken, msat), or costMsat (what a call costs you, msat: the floor is then the cost plus marginPct, default 20 %)',
    },
    {
      what: 'both floorMsat and costMsat',
      fields: { negotiation: { floorMsat: 5_000, costMsat: 1_000 } },
      message:
        'invalid seller config: negotiation.floorMsat: give floorMsat or costMsat (with marginPct), not both',
    },
    {
      what: 'maxRounds above 16',
      fields: { negotiation: { floorMsat: 5_000, maxRounds: 20 } },
      message: 'invalid seller config: negotiation.maxRounds: expected maxRounds from 1 to 16',
    },
    {
      what: 'a negotiatorRate of 0 calls',
      fields: { negotiation: { floorMsat: 5_000, negotiatorRate: { calls: 0, perSec: 60 } } },
      message: 'invalid seller config: negotiation.negotiatorRate.calls: expected more than 0',
    },
    {
      what: 'a negative maxCallsGivenBack',
      fields: { maxCallsGivenBack: -1 },
      message: 'invalid seller config: maxCallsGivenBack: expected at least 0',
    },
    {
      what: 'holdRefundRate without payOnSuccess',
      fields: { holdRefundRate: { calls: 2, perSec: 60 } },
      message:
        'invalid seller config: holdRefundRate: holdRefundRate needs payOnSuccess: true (it bounds refunds of pay-on-success calls)',
    },
    {
      what: 'a holdRefundRate of 0 s',
      fields: { payOnSuccess: true, holdRefundRate: { calls: 2, perSec: 0 } },
      message:
        'invalid seller config: holdRefundRate.perSec: expected at least 0.001 s (1 ms): the clock counts whole milliseconds',
    },
  ])('$what in --config: that one line, exit 2', async ({ what, fields, message }) => {
    const file = await config(what.replace(/\W+/g, '-'), fields);
    expect(await runCli(SELLER, ['--config', file])).toEqual({ code: 2, stdout: '', stderr: message + MORE });
  });

  it.concurrent.each([
    {
      args: ['--floor-msat', '0'],
      message: '--floor-msat must be an integer of at least 1, got "0"',
    },
    {
      args: ['--max-calls-given-back', 'all'],
      message: '--max-calls-given-back must be an integer of at least 0, got "all"',
    },
  ])('refuses $args.0 $args.1: that one line, exit 2', async ({ args, message }) => {
    expect(await runCli(SELLER, ['--archetype', 'compute', ...args])).toEqual({
      code: 2,
      stdout: '',
      stderr: message + MORE,
    });
  });

  it('--help lists --floor-msat and --max-calls-given-back', async () => {
    const r = await runCli(SELLER, ['--help']);
    expect(r.stdout).toContain(
      '  --floor-msat N           answer bids (L402-Bid) below the price with the rule negotiator, down to N msat\n',
    );
    expect(r.stdout).toContain(
      '  --max-calls-given-back N most calls each bundle token gets back when the handler answers 5xx\n',
    );
  }, 60_000);
});
