import type { Context, MiddlewareHandler, Next } from 'hono';
import { severalCredentials, splitAuthorization } from '../../infra/l402/index.js';
import { runAuthorized } from './authorized.js';
import { parseHoldAuthorization } from './headers.js';
import type { L402PaywallOptions, L402Variables } from './options.js';
import { answerBid, isBid } from './negotiate.js';
import { holdRetry } from './pay-on-success.js';
import { checkPricePaid } from './price-check.js';
import { challenge, refuse, refuseVerification, rejectCredential, unavailable } from './respond.js';
import { settlementOf } from './settled.js';
import { buildState, verifyContext, type PaywallState } from './state.js';

type Env = { Variables: L402Variables };

/** An L402 or LSAT credential: the scheme, then whitespace. */
const L402_START = /^\s*(l402|lsat)[ \t]/i;

/** The paywall middleware, plus `close()` for shutdown: it cancels every hold invoice still in flight. */
export type L402Paywall = MiddlewareHandler<Env> & { close(): Promise<void> };

/**
 * An L402 paywall for one Hono route (Aperture as a library). Without a
 * valid credential it answers 402 with a fresh invoice and macaroon; with one
 * it enforces every caveat, the call quota (atomically), the rate limit and,
 * in strict mode, that the invoice is settled, then runs the handler with the
 * token's facts in `c.get('l402')`. Options are checked here, at build time.
 *
 * @example
 * app.get('/v1/quote', l402Paywall({ node, minter, clock, service: 'quotes', price: 5_000, maxCalls: 10 }),
 *   (c) => c.json({ quote: 42, calls: c.get('l402').quotas }));
 */
export function l402Paywall(options: L402PaywallOptions): L402Paywall {
  const p = buildState(options);
  const middleware: MiddlewareHandler<Env> = async function l402Paywall(c, next) {
    return handle(p, c, next);
  };
  return Object.assign(middleware, { close: () => p.holds.close() });
}

/** One request: a pay-on-success retry, no L402 credential, or a credential to verify. */
async function handle(p: PaywallState, c: Context, next: Next): Promise<Response | void> {
  const raw = c.req.header('authorization');
  // Repeated Authorization headers arrive joined by ", ": with an L402
  // credential among several different ones, which to honour is ambiguous.
  const parts = raw === undefined ? [] : splitAuthorization(raw);
  if (parts.length > 1 && parts.some((part) => L402_START.test(part)))
    return refuse(p, c, 400, 'bad_header', severalCredentials(parts));
  const auth = parts.length === 1 ? parts[0] : raw;
  const holdMac = parseHoldAuthorization(auth);
  if (holdMac !== undefined)
    return p.payOnSuccess
      ? holdRetry(p, c, next, holdMac)
      : rejectCredential(
          p,
          c,
          'malformed_header',
          'empty preimage, but this route does not offer pay-on-success',
        );
  // Another scheme (Basic, Bearer…) is not an L402 credential: treat as absent.
  if (auth === undefined || !L402_START.test(auth))
    return isBid(p, c) ? answerBid(p, c) : challenge(p, c, 'missing', `${p.service} needs an L402 token`);
  const v = await p.minter.verify(auth, verifyContext(p, c));
  if (!v.ok) return refuseVerification(p, c, v.error);
  if (p.strict) {
    const s = await settlementOf(p, v.token.paymentHash);
    if (s.kind === 'unknown')
      return unavailable(
        p,
        c,
        'token_state_unknown',
        `cannot tell whether invoice ${v.token.paymentHash} is paid (${s.why}); retry later with the same token`,
        v.token,
      );
    if (s.kind === 'unpaid')
      return rejectCredential(
        p,
        c,
        'unpaid',
        `invoice ${v.token.paymentHash} is ${s.state}, not settled, on this node`,
        v.token,
      );
  }
  const priced = await checkPricePaid(p, v.token);
  if (priced.kind === 'unknown')
    return unavailable(
      p,
      c,
      'token_state_unknown',
      `cannot tell what invoice ${v.token.paymentHash} was for (${priced.why}); retry later with the same token`,
      v.token,
    );
  if (priced.kind === 'mismatch') return rejectCredential(p, c, 'price_mismatch', priced.message, v.token);
  return runAuthorized(p, c, next, v.token, true);
}
