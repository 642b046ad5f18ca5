/**
 * The path a request is bound by: what a `<service>_path_prefix` caveat is
 * checked against, by the buyer before it pays or reuses a token and by the
 * paywall's verifier. One reading for both, so a token the buyer judges to
 * cover a request is the token the seller accepts for it, byte for byte.
 *
 * It is Hono's `c.req.path` (hono 4.13, `getPath` in hono/dist/utils/url.js),
 * the path the seller's routes match: the URL's path, without query or
 * fragment, with its percent-escapes decoded by `decodeURI` except `%25`
 * (so `/v1/caf%C3%A9` reads `/v1/café`, `/v1/dat%61` reads `/v1/data`).
 * `decodeURI` leaves reserved characters escaped (`%2F`, `%3F`, `%23`, …)
 * and `%25` stays as it is, so no escape is decoded twice. A run of escapes
 * that is not UTF-8 stays escaped; a stray `%` is kept unless the decoded
 * path would read differently once set as a URL path, and then it reads
 * `%25`. test/l402/request-path.test.ts holds it to Hono's own reading.
 */

/** Hono's `decodeURIWithPreservedPercent`: `decodeURI` keeping `%25` as it is. */
const decodeKeepingPercent = (s: string): string =>
  decodeURI(s.includes('%25') ? s.replace(/%25/g, '%2525') : s);

/** Hono's `tryDecode`: the whole path, else each run of escapes that decodes. */
function tryDecode(s: string): string {
  try {
    return decodeKeepingPercent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeKeepingPercent(run);
      } catch {
        return run;
      }
    });
  }
}

const STRAY_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * The path of `url` (a serialized http(s) URL: `URL.href`, a `Request`'s
 * `url`) as the verifier reads it for a path-prefix caveat: see above.
 */
export function requestPath(url: string): string {
  const start = url.indexOf('/', url.indexOf(':') + 4);
  const rest = url.slice(start);
  const cut = rest.search(/[?#]/);
  const path = cut < 0 ? rest : rest.slice(0, cut);
  if (!path.includes('%')) return path;
  const decoded = tryDecode(path);
  if (STRAY_PERCENT.test(path)) {
    const rewritten = new URL('http://localhost');
    rewritten.pathname = decoded.replace(/[\\\t\n\r]/g, encodeURIComponent);
    if (tryDecode(rewritten.pathname) !== decoded)
      return tryDecode(path.replace(new RegExp(STRAY_PERCENT, 'g'), '%25'));
  }
  return decoded;
}
