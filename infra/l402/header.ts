/**
 * The L402 HTTP headers. Challenges (`WWW-Authenticate`) are parsed leniently,
 * as deployed software sends them: several challenges in one joined string
 * (Aperture's `LSAT …` and `L402 …` joined by ", "), scheme in any case,
 * `macaroon=` or `token=`, optional `version`, unknown parameters, any order,
 * quoted or bare values. What we emit is the one form lnget's regex reads;
 * an Authorization answers in the scheme of the challenge paid (an LSAT-era
 * server offers and accepts `LSAT` only).
 * Authorization is parsed strictly: `L402|LSAT <mac>[,<mac>]:<64 lowercase hex>`,
 * exactly one credential (copies of it, as Aperture's Go client sends, count once).
 */
import { preview } from './bytes.js';
import { LabError } from '../errors.js';
import { MAX_HEADER_LENGTH, severalCredentials, splitAuthorization } from './authorization-split.js';

export { MAX_HEADER_LENGTH };
import type { L402Error } from './errors.js';

/** An L402 scheme name as it was sent. */
export type L402Scheme = 'L402' | 'LSAT';

/** One challenge from a `WWW-Authenticate` header. */
export interface Challenge {
  scheme: L402Scheme;
  /** Base64 macaroon, as sent. */
  macaroon: string;
  /** BOLT11 invoice, as sent. */
  invoice: string;
  version?: string;
}

/** A parsed `Authorization` header. */
export interface Authorization {
  scheme: L402Scheme;
  /** Base64 macaroons (Aperture accepts exactly one; the spec allows several). */
  macaroons: string[];
  /** 64 lowercase hex chars. */
  preimage: string;
}

const B64_RE = /^[A-Za-z0-9+/\-_]+={0,2}$/;
const PREIMAGE_RE = /^[a-f0-9]{64}$/;
const INVOICE_RE = /^[A-Za-z0-9]+$/;
const TCHAR_RE = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// Sticky (y) patterns read at a position without slicing; both are linear
// (no nested quantifiers over overlapping alternatives).
const TOKEN_Y = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const QUOTED_Y = /"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const SCHEME_RE = /^(l402|lsat)$/i;

function malformed(message: string): L402Error {
  return new LabError('malformed_header', message);
}

function checkLength(value: unknown, what: string): string {
  if (typeof value !== 'string') throw malformed(`${what} must be a string, got ${typeof value}`);
  if (value.length > MAX_HEADER_LENGTH)
    throw malformed(`${what} is ${value.length} chars, over ${MAX_HEADER_LENGTH}`);
  return value;
}

function normalizeScheme(scheme: string): L402Scheme | undefined {
  return SCHEME_RE.test(scheme) ? (scheme.toUpperCase() as L402Scheme) : undefined;
}

interface RawChallenge {
  scheme: string;
  params: Map<string, string>;
  broken: boolean;
}

/** Splits a header value into challenges (RFC 7235 grammar, resyncing at commas on garbage). */
function lex(input: string): RawChallenge[] {
  const out: RawChallenge[] = [];
  let current: RawChallenge | undefined;
  let i = 0;
  const n = input.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t';
  const readToken = () => {
    TOKEN_Y.lastIndex = i;
    const m = TOKEN_Y.exec(input);
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const skipToComma = () => {
    while (i < n && input[i] !== ',') i++;
  };
  while (i < n) {
    while (i < n && (isSpace(input[i]) || input[i] === ',')) i++;
    if (i >= n) break;
    const token = readToken();
    if (token.length === 0) {
      if (current) current.broken = true;
      i++;
      skipToComma();
      continue;
    }
    let j = i;
    while (j < n && isSpace(input[j])) j++;
    if (input[j] === '=' && current) {
      // auth-param: name = ( token / quoted-string )
      i = j + 1;
      while (i < n && isSpace(input[i])) i++;
      let value = '';
      if (input[i] === '"') {
        QUOTED_Y.lastIndex = i;
        const m = QUOTED_Y.exec(input);
        if (m) {
          value = m[1]!.includes('\\') ? m[1]!.replace(/\\(.)/gs, '$1') : m[1]!;
          i += m[0].length;
        } else {
          current.broken = true;
          i = n;
        }
      } else {
        const start = i;
        while (i < n && input[i] !== ',' && !isSpace(input[i])) i++;
        value = input.slice(start, i);
      }
      const name = token.toLowerCase();
      if (current.params.has(name)) current.broken = true;
      current.params.set(name, value);
      while (i < n && isSpace(input[i])) i++;
      if (i < n && input[i] !== ',') {
        current.broken = true;
        skipToComma();
      }
    } else {
      // a new challenge starts with its scheme
      current = { scheme: token, params: new Map(), broken: false };
      out.push(current);
      i = j;
      // token68 form (e.g. `Basic abc==`): not ours, consume it
      if (i < n && input[i] !== ',' && !(TCHAR_RE.test(input[i]!) && looksLikeParam(input, i))) skipToComma();
    }
  }
  return out;
}

function looksLikeParam(input: string, i: number): boolean {
  const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=/.exec(input.slice(i, i + 256));
  return m !== null && input[i + m[0].length] !== '=';
}

/**
 * Parses every L402/LSAT challenge in a `WWW-Authenticate` value, in order.
 * Other schemes and incomplete challenges are skipped; throws
 * L402Error('malformed_header') when none is usable.
 */
export function parseChallenges(wwwAuthenticate: string): Challenge[] {
  const input = checkLength(wwwAuthenticate, 'WWW-Authenticate');
  const result: Challenge[] = [];
  for (const raw of lex(input)) {
    const scheme = normalizeScheme(raw.scheme);
    if (!scheme || raw.broken) continue;
    const mac = raw.params.get('macaroon');
    const tok = raw.params.get('token');
    if (mac !== undefined && tok !== undefined && mac !== tok) continue;
    const macaroon = mac ?? tok;
    const invoice = raw.params.get('invoice');
    if (macaroon === undefined || invoice === undefined) continue;
    if (!B64_RE.test(macaroon) || !INVOICE_RE.test(invoice)) continue;
    const version = raw.params.get('version');
    result.push({ scheme, macaroon, invoice, ...(version !== undefined ? { version } : {}) });
  }
  if (result.length === 0) {
    throw malformed(`no L402 or LSAT challenge with a macaroon and an invoice in ${preview(input)}`);
  }
  return result;
}

/** Formats the challenge we send: exactly `L402 macaroon="…", invoice="…"`. */
export function formatChallenge({ macaroon, invoice }: { macaroon: string; invoice: string }): string {
  if (typeof macaroon !== 'string' || !B64_RE.test(macaroon)) {
    throw malformed(`challenge macaroon is not base64: ${preview(macaroon)}`);
  }
  if (typeof invoice !== 'string' || !INVOICE_RE.test(invoice)) {
    throw malformed(`challenge invoice is not a BOLT11 string: ${preview(invoice)}`);
  }
  return `L402 macaroon="${macaroon}", invoice="${invoice}"`;
}

/**
 * Parses `L402|LSAT <mac>[,<mac>]:<64 lowercase hex>`, one credential (see
 * `splitAuthorization`); throws L402Error('malformed_header').
 */
export function parseAuthorization(value: string): Authorization {
  const parts = splitAuthorization(checkLength(value, 'Authorization'));
  if (parts.length > 1) throw malformed(severalCredentials(parts));
  const input = parts[0]!;
  const space = input.search(/[ \t]/);
  const scheme = space < 0 ? undefined : normalizeScheme(input.slice(0, space));
  if (!scheme) throw malformed(`Authorization is not L402 or LSAT: ${preview(input)}`);
  const credentials = input.slice(space).trim();
  const colon = credentials.lastIndexOf(':');
  if (colon < 0) throw malformed('Authorization has no ":<preimage>"');
  const preimage = credentials.slice(colon + 1);
  if (!PREIMAGE_RE.test(preimage)) {
    throw malformed(`preimage must be 64 lowercase hex chars, got ${preview(preimage)}`);
  }
  const macaroons = credentials
    .slice(0, colon)
    .split(',')
    .map((m) => m.trim());
  for (const m of macaroons) {
    if (!B64_RE.test(m)) throw malformed(`Authorization macaroon is not base64: ${preview(m)}`);
  }
  return { scheme, macaroons, preimage };
}

/**
 * Formats `<scheme> <mac>:<hex>` (one macaroon, as Aperture accepts). `scheme`: the scheme of the
 * challenge paid for the token, `L402` unless given (an LSAT-era server accepts only `LSAT`).
 */
export function formatAuthorization({
  macaroon,
  preimage,
  scheme = 'L402',
}: {
  macaroon: string;
  preimage: string;
  scheme?: L402Scheme;
}): string {
  if (scheme !== 'L402' && scheme !== 'LSAT')
    throw malformed(`Authorization scheme is not L402 or LSAT: ${preview(scheme)}`);
  if (typeof macaroon !== 'string' || !B64_RE.test(macaroon)) {
    throw malformed(`Authorization macaroon is not base64: ${preview(macaroon)}`);
  }
  const hex = typeof preimage === 'string' ? preimage.toLowerCase() : '';
  if (!PREIMAGE_RE.test(hex)) throw malformed(`preimage must be 64 hex chars, got ${preview(preimage)}`);
  return `${scheme} ${macaroon}:${hex}`;
}
