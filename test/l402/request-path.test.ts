import { getPath } from 'hono/utils/url';
import { describe, expect, it } from 'vitest';
import { requestPath } from '../../infra/l402/index.js';
import { createRng } from '../../infra/random.js';

/**
 * requestPath is the path a path-prefix caveat is checked against, by the
 * buyer and by the paywall's verifier: Hono's c.req.path (getPath), so the
 * token a buyer pays for is the one the seller's routes and verifier accept.
 */

/** A request path as sent: the serialized URL of `http://h.test` + `raw`. */
const hrefOf = (raw: string) => new URL(`http://h.test${raw}`).href;
/** Hono's reading of the same request. */
const honoPath = (href: string) => getPath(new Request(href));

describe('requestPath reads a request path as Hono does', () => {
  it.each<[string, string, string]>([
    ['a plain path', '/v1/data', '/v1/data'],
    ['UTF-8 escapes, decoded', '/v1/caf%C3%A9/x', '/v1/café/x'],
    ['a literal é, sent escaped and decoded', '/v1/café/x', '/v1/café/x'],
    ['an escaped unreserved letter, decoded', '/v1/dat%61', '/v1/data'],
    ['an escaped slash, kept (reserved)', '/v1/a%2Fb', '/v1/a%2Fb'],
    ['an escaped percent, kept', '/v1/a%252e', '/v1/a%252e'],
    ['an escaped backslash, decoded', '/v1/a%5Cb', '/v1/a\\b'],
    ['an escape that is not UTF-8, kept', '/v1/%FF/x', '/v1/%FF/x'],
    ['a run that is not UTF-8 kept, the next decoded', '/v1/%C3%A9%FF/%61', '/v1/%C3%A9%FF/a'],
    ['a stray % kept', '/v1/a%zz%61', '/v1/a%zza'],
    ['a stray % that would decode twice, read as %25', '/%%34%31', '/%2541'],
    ['the query and fragment, cut', '/v1/x?q=%61#f', '/v1/x'],
    ['a double slash, kept', '/v1//x', '/v1//x'],
    ['escaped dot segments, resolved by the URL', '/v1/%2e%2e/admin', '/admin'],
    ['dot segments, resolved by the URL', '/v1/a/../b', '/v1/b'],
  ])('%s: %s reads %s', (_what, raw, expected) => {
    const href = hrefOf(raw);
    expect(requestPath(href)).toBe(expected);
    expect(honoPath(href)).toBe(expected);
  });

  it('every one of 3,000 seeded paths of escapes, dots, slashes and stray % reads as Hono reads it', () => {
    const rng = createRng('request-path');
    // '%' next to '%34', '%31' or '%2' makes escapes that would decode twice (the stray-% rewrite).
    const parts = [
      ...['a', '/', '.', '..', 'é', '?', '#', '%', '%%', '%2', '%zz'],
      ...['%25', '%2F', '%2e', '%61', '%C3', '%A9', '%FF', '%3F', '%5C', '%34', '%31'],
    ];
    const differ: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      let raw = '/';
      for (let n = 1 + rng.int(8); n > 0; n--) raw += rng.pick(parts);
      const href = hrefOf(raw);
      if (requestPath(href) !== honoPath(href)) differ.push(href);
    }
    expect(differ).toEqual([]);
  });
});
