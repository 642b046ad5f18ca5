import fc from 'fast-check';
import { parseAuthorization } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { createSeller } from '../../services/sellers/index.js';
import { makeMarket } from '../registry/helpers.js';
import { buy, inMemory } from '../paywall/helpers.js';
import type { FuzzTally } from './fuzz-common.js';
import { mutatedString, newTally, outcome, problem, runCases } from './fuzz-common.js';

const hex = fc.stringMatching(/^[0-9a-fA-F]{0,80}$/);

/** Hostile `Authorization` values around a genuine one. */
function headerArbitrary(genuine: string): fc.Arbitrary<string> {
  const [mac, pre] = genuine.replace(/^L402 /, '').split(':') as [string, string];
  return fc.oneof(
    { weight: 4, arbitrary: mutatedString(genuine) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('L402', 'LSAT', 'l402', 'Bearer', 'L402  ', 'LSAT ,', 'L402 L402')
        .chain((scheme) => mutatedString(`${scheme} ${mac}:${pre}`)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.base64String({ maxLength: 800 }), hex).map(([m, p]) => `L402 ${m}:${p}`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 1000 }) },
    { weight: 1, arbitrary: fc.constant(genuine) },
  );
}

/** The macaroon bytes and preimage a header carries, or undefined when it does not parse. */
function credentials(header: string): string | undefined {
  try {
    const a = parseAuthorization(header);
    const macs = a.macaroons.map((m) => Buffer.from(m, 'base64').toString('hex')).join(',');
    return `${macs}:${a.preimage.toLowerCase()}`;
  } catch {
    return undefined;
  }
}

/** Virtual time between cases: the seller's unpaid invoices (600 s expiry) lapse 1,200 cases after they were made. */
const CASE_SPACING_MS = 500;

/**
 * L402 headers against a real seller's paywall (in memory): every answer is
 * a 4xx or a 200, never a 5xx; a 200 only for the genuine credentials (a
 * 1,000,000-call token, so the genuine header is served every time it comes).
 * The virtual clock moves 0.5 s per case.
 */
export async function fuzzHeaders(seed: number, count: number): Promise<FuzzTally> {
  const m = await makeMarket({ seed });
  // Secrets seeded, visibly, as the simulator's are: which mutations of the genuine header still decode
  // to its bytes (a base64 character's unused low bits) depends on them, so with CSPRNG secrets the
  // seeded counts could differ from run to run.
  const seller = await createSeller(
    {
      archetype: 'data-feed',
      latency: { kind: 'fixed', ms: 0 },
      tiers: [{ kind: 'bundle', calls: 1_000_000, priceMsat: 10_000 }],
    },
    {
      node: m.seller,
      clock: m.clock,
      rng: m.rng.fork('shop.test'),
      secrets: insecureSeededSecrets(m.rng.fork('shop.test secrets')),
    },
  );
  const { authorization } = await buy(m, inMemory(seller.app), '/v1/anomalies');
  const genuine = credentials(authorization);
  return runCases(
    newTally('L402 headers'),
    headerArbitrary(authorization),
    seed,
    count,
    async (header, t) => {
      let req: Request;
      try {
        req = new Request('http://shop.test/v1/anomalies', { headers: { authorization: header } });
      } catch {
        return outcome(t, 'not_a_header_value'); // fetch itself refuses it: it never reaches a server
      }
      await m.clock.advance(CASE_SPACING_MS);
      const res = await seller.app.fetch(req);
      const body = (await res.json().catch(() => undefined)) as
        { reason?: unknown; error?: unknown } | undefined;
      if (res.status >= 500) return problem(t, 'status5xx', `${res.status} for ${JSON.stringify(header)}`);
      if (res.status < 300 && credentials(header) !== genuine)
        return problem(t, 'forgeries', `${res.status} for ${JSON.stringify(header)}`);
      const why = res.status === 402 ? body?.reason : res.status >= 400 ? body?.error : undefined;
      outcome(t, `http_${res.status}${typeof why === 'string' ? ` ${why}` : ''}`);
    },
  );
}
