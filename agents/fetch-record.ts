/**
 * The purchase record `npm run l402 -- fetch` prints on stderr. A paid token
 * (its macaroon with its preimage) is a bearer credential: whoever reads it
 * can spend the calls left on it, so the record names the token only by what
 * cannot spend it (its payment hash, the calls left on it, the price quoted)
 * unless the token was asked for (`--show-token`). The seller writes part of
 * the record (a refusal's reason, the macaroon): every string in it is printed
 * with its control, bidi and line-separator characters shown as escapes
 * (`terminalSafe`), in the JSON values too, so neither the terminal nor a
 * `jq -r` of a field runs what the seller wrote.
 */
import { formatAuthorization } from '../infra/l402/index.js';
import { terminalSafe } from '../infra/terminal-text.js';
import type { PurchaseResult } from './l402/outcome.js';
import type { StoredToken } from './l402/token-store.js';

/** A purchase's result without its response: what the record is made of. */
export type FetchResult = Omit<PurchaseResult, 'response'>;

/** How the record is printed: `--json`, `--show-token`. */
export interface RecordOptions {
  json: boolean;
  showToken: boolean;
}

/** The record's JSON: the result, its token's secrets only when shown, and the calls left on it. */
export type FetchRecord = Omit<FetchResult, 'preimage' | 'macaroon'> &
  Partial<Pick<FetchResult, 'preimage' | 'macaroon'>> & { callsLeft?: number };

/** Calls left on `token` by the buyer's count; undefined without a `max_calls` caveat. */
function callsLeft(token: StoredToken | undefined): number | undefined {
  if (token?.maxCalls === undefined) return undefined;
  return Math.max(0, token.maxCalls - token.callsUsed);
}

/** The paid token of `r` among `held` (what the token store keeps after the purchase). */
export function tokenOf(r: FetchResult, held: readonly StoredToken[]): StoredToken | undefined {
  if (r.paymentHash === undefined) return undefined;
  return held.find((t) => t.state === 'paid' && t.paymentHash === r.paymentHash);
}

/** The JSON record of `r`: `preimage` and `macaroon` dropped unless `showToken`. */
export function fetchRecord(r: FetchResult, token: StoredToken | undefined, showToken: boolean): FetchRecord {
  const { preimage, macaroon, ...rest } = r;
  const left = callsLeft(token);
  return {
    ...rest,
    ...(left !== undefined ? { callsLeft: left } : {}),
    ...(showToken ? { preimage, macaroon } : {}),
  };
}

/** `value`'s strings made safe to print (a `JSON.stringify` replacer). */
const safeStrings = (_key: string, value: unknown) =>
  typeof value === 'string' ? terminalSafe(value) : value;

/**
 * The lines printed for `r`: the JSON record, or one line
 * (`success: paid 2000 msat + fee 1 msat, 84 ms; token <payment hash>, 9 calls left`, the token
 * named when one is held for it), then with `showToken` the `Authorization` header that spends it.
 * Every string is `terminalSafe`.
 */
export function recordLines(r: FetchResult, token: StoredToken | undefined, o: RecordOptions): string[] {
  if (o.json) return [JSON.stringify(fetchRecord(r, token, o.showToken), safeStrings)];
  const left = callsLeft(token);
  const which =
    token === undefined
      ? ''
      : `; token ${token.paymentHash}${left !== undefined ? `, ${left} call${left === 1 ? '' : 's'} left` : ''}`;
  const line =
    `${r.outcome}${r.reason ? ` (${r.reason})` : ''}: paid ${r.paidMsat} msat + fee ${r.feeMsat} msat` +
    `${r.tokenReused ? ', token reused' : ''}, ${r.timings.endedAt - r.timings.startedAt} ms${which}`;
  const lines =
    !o.showToken || r.preimage === undefined || r.macaroon === undefined
      ? [line]
      : [
          line,
          `Authorization: ${formatAuthorization({ macaroon: r.macaroon, preimage: r.preimage, ...(token?.scheme ? { scheme: token.scheme } : {}) })}`,
        ];
  return lines.map((l) => terminalSafe(l));
}
