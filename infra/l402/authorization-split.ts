/**
 * How many credentials one `Authorization` value carries. A request with the
 * header twice reaches a server as one value joined by ", ", so the paywall
 * and the parser split it before reading a credential.
 */
import { preview } from './bytes.js';

/** Longest header value we look at; anything longer is not an L402 header. */
export const MAX_HEADER_LENGTH = 64 * 1024;

const CREDENTIAL_START_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]/;
const L402_CREDENTIAL_RE = /^(?:l402|lsat)[ \t]+(.*)$/is;

/**
 * The credentials in an `Authorization` value, trimmed, in order. A request
 * with the header twice reaches a server as one value joined by ", ", and an
 * L402 credential has commas of its own (`L402 <mac>,<mac>:<hex>`), so the
 * value is split by grammar: base64 and hex hold neither ":" nor ",", so an
 * L402/LSAT credential ends at the piece holding its ":"; any piece after
 * that, and any piece that starts `<scheme> `, starts another credential.
 * Identical L402/LSAT credentials under either scheme count once, the first
 * kept: Aperture's Go client sends `LSAT <mac>:<hex>` then `L402 <mac>:<hex>`.
 * A value over MAX_HEADER_LENGTH, or not a string, is returned whole (the
 * parser refuses it); this never throws.
 */
export function splitAuthorization(value: string): string[] {
  if (typeof value !== 'string' || value.length > MAX_HEADER_LENGTH) return [value];
  const parts: string[] = [];
  let start = 0;
  let isL402 = false;
  let closed = false;
  for (let pos = 0; ;) {
    const comma = value.indexOf(',', pos);
    const piece = value.slice(pos, comma < 0 ? value.length : comma).trim();
    if (pos === 0 || closed || CREDENTIAL_START_RE.test(piece)) {
      if (pos > 0) parts.push(value.slice(start, pos - 1).trim());
      start = pos;
      isL402 = L402_CREDENTIAL_RE.test(piece);
      closed = false;
    }
    closed = isL402 && (closed || piece.includes(':'));
    if (comma < 0) break;
    pos = comma + 1;
  }
  parts.push(value.slice(start).trim());
  const seen = new Set<string>();
  return parts.filter((part) => {
    const body = L402_CREDENTIAL_RE.exec(part)?.[1]?.trim();
    if (body === undefined) return true;
    if (seen.has(body)) return false;
    seen.add(body);
    return true;
  });
}

/**
 * The error message for an `Authorization` value split into `parts.length` (> 1) parts: more than one
 * credential, or an empty one (a stray comma, `L402 <mac>:<hex>,`: an empty part is no second credential).
 */
export function severalCredentials(parts: string[]): string {
  // Nothing but commas and blanks (`L402 <mac>:<hex>,,` leaves a part ","): no credential.
  const given = parts.filter((part) => !/^[\s,]*$/.test(part));
  const shown = given.map((part) => preview(part, 24)).join(', ');
  const empty = given.length < parts.length;
  if (given.length <= 1)
    return `the Authorization header has an empty credential (a stray comma${shown ? ` beside ${shown}` : ''}); send the credential alone, without a comma before or after it`;
  const stray = empty ? ' and an empty one (a stray comma)' : '';
  return `the request carries more than one Authorization credential (${given.length} different: ${shown})${stray}; send one`;
}
