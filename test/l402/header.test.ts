import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatAuthorization,
  formatChallenge,
  parseAuthorization,
  parseChallenges,
  splitAuthorization,
  isL402Error,
} from '../../infra/l402/index.js';
import { LabError } from '../../infra/errors.js';

const MAC = 'AgEEbHNhdAJCAAC+/w==';
const INV = 'lnbcrt10u1pjqqqqqpp5qqqq';
const PRE = 'ab'.repeat(32);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isL402Error(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('WWW-Authenticate challenges', () => {
  it.each<[string, string, { scheme: string; macaroon: string; invoice: string; version?: string }[]]>([
    [
      'our own form',
      `L402 macaroon="${MAC}", invoice="${INV}"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
    [
      "Aperture's two headers as Node joins them",
      `LSAT macaroon="${MAC}", invoice="${INV}", L402 macaroon="${MAC}", invoice="${INV}"`,
      [
        { scheme: 'LSAT', macaroon: MAC, invoice: INV },
        { scheme: 'L402', macaroon: MAC, invoice: INV },
      ],
    ],
    [
      'a lowercase scheme',
      `l402 macaroon="${MAC}", invoice="${INV}"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
    [
      'token= instead of macaroon=',
      `LSAT token="${MAC}", invoice="${INV}"`,
      [{ scheme: 'LSAT', macaroon: MAC, invoice: INV }],
    ],
    [
      'a version, parameters reversed, an unknown parameter',
      `L402 version="0", invoice="${INV}", realm="api", macaroon="${MAC}"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV, version: '0' }],
    ],
    [
      'bare (unquoted) values',
      `L402 macaroon=${MAC}, invoice=${INV}`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
    [
      'no space after commas and spaces around "="',
      `L402 macaroon = "${MAC}",invoice= "${INV}"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
    [
      'other schemes around it',
      `Basic realm="x", Bearer, Negotiate abc==, L402 macaroon="${MAC}", invoice="${INV}", Digest nonce="1"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
    [
      'a broken challenge followed by a good one',
      `L402 macaroon="${MAC}", L402 macaroon="${MAC}", invoice="${INV}"`,
      [{ scheme: 'L402', macaroon: MAC, invoice: INV }],
    ],
  ])('parses %s', (_name, header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it.each([
    ['an empty header', ''],
    ['only other schemes', 'Basic realm="x", Bearer error="invalid_token"'],
    ['a missing invoice', `L402 macaroon="${MAC}"`],
    ['a missing macaroon', `L402 invoice="${INV}"`],
    ['an unterminated quote', `L402 macaroon="${MAC}, invoice="${INV}`],
    ['a macaroon that is not base64', `L402 macaroon="not base64!", invoice="${INV}"`],
    ['an invoice with spaces', `L402 macaroon="${MAC}", invoice="ln bc"`],
    ['the same parameter twice', `L402 macaroon="${MAC}", macaroon="${MAC}", invoice="${INV}"`],
    ['macaroon= and token= disagreeing', `L402 macaroon="${MAC}", token="AAAA", invoice="${INV}"`],
    ['a header over 64 KiB', `L402 macaroon="${'A'.repeat(70_000)}", invoice="${INV}"`],
  ])('rejects %s as malformed_header', (_name, header) => {
    expect(codeOf(() => parseChallenges(header))).toBe('malformed_header');
  });

  it('formats exactly the form lnget reads, and parses it back', () => {
    const header = formatChallenge({ macaroon: MAC, invoice: INV });
    expect(header).toBe(`L402 macaroon="${MAC}", invoice="${INV}"`);
    expect(header).toMatch(/^(LSAT|L402)\s+macaroon="([^"]+)",\s*invoice="([^"]+)"$/i);
    expect(parseChallenges(header)).toEqual([{ scheme: 'L402', macaroon: MAC, invoice: INV }]);
  });

  it('refuses to format a value that would break the quoting', () => {
    expect(codeOf(() => formatChallenge({ macaroon: 'a"b', invoice: INV }))).toBe('malformed_header');
    expect(codeOf(() => formatChallenge({ macaroon: MAC, invoice: 'ln"x' }))).toBe('malformed_header');
  });

  it('random strings parse or fail with malformed_header, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (s) => {
        expect(['no error', 'malformed_header']).toContain(codeOf(() => parseChallenges(s)));
      }),
      { numRuns: 500 },
    );
  });

  it('mangled real headers parse to well-formed challenges or fail with malformed_header', () => {
    const base = `LSAT macaroon="${MAC}", invoice="${INV}", L402 macaroon="${MAC}", invoice="${INV}"`;
    const piece = fc.constantFrom('"', ',', '=', ' ', '\\', 'L402 ', 'macaroon=', 'token=', '\t', '', 'x');
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), piece, (from, len, insert) => {
        const s = base.slice(0, from) + insert + base.slice(from + len);
        try {
          for (const c of parseChallenges(s)) {
            expect(c.macaroon).toMatch(/^[A-Za-z0-9+/\-_]+={0,2}$/);
            expect(c.invoice).toMatch(/^[A-Za-z0-9]+$/);
            expect(['L402', 'LSAT']).toContain(c.scheme);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(LabError);
          expect((e as LabError).code).toBe('malformed_header');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses pathological 64 KiB headers (runaway separators, escaped quotes, an unterminated value) and parses the 885 whole challenges in 64 KiB', () => {
    const evil = 'L402 ' + 'a=,'.repeat(21_000);
    expect(codeOf(() => parseChallenges(evil))).toBe('malformed_header');
    const quotes = 'L402 macaroon="' + '\\"'.repeat(30_000);
    expect(codeOf(() => parseChallenges(quotes))).toBe('malformed_header');
    const unterminated = `L402 invoice="${INV}", macaroon="` + 'A'.repeat(65_000);
    expect(codeOf(() => parseChallenges(unterminated))).toBe('malformed_header');
    const many = Array.from({ length: 2_000 }, () => `L402 macaroon="${MAC}", invoice="${INV}"`).join(', ');
    // Each challenge and its separator take 74 characters: 885 whole ones fit in 64 KiB.
    expect(parseChallenges(many.slice(0, 64 * 1024).replace(/, [^,]*$/, ''))).toEqual(
      Array.from({ length: 885 }, () => ({ scheme: 'L402', macaroon: MAC, invoice: INV })),
    );
  });
});

describe('Authorization', () => {
  it.each<[string, string, { scheme: string; macaroons: string[]; preimage: string }]>([
    ['L402', `L402 ${MAC}:${PRE}`, { scheme: 'L402', macaroons: [MAC], preimage: PRE }],
    ['LSAT', `LSAT ${MAC}:${PRE}`, { scheme: 'LSAT', macaroons: [MAC], preimage: PRE }],
    ['a lowercase scheme', `l402 ${MAC}:${PRE}`, { scheme: 'L402', macaroons: [MAC], preimage: PRE }],
    [
      'several macaroons',
      `L402 ${MAC},AAAA:${PRE}`,
      { scheme: 'L402', macaroons: [MAC, 'AAAA'], preimage: PRE },
    ],
    ['URL-safe base64', `L402 AgE-_w:${PRE}`, { scheme: 'L402', macaroons: ['AgE-_w'], preimage: PRE }],
    ['surrounding spaces', `  L402   ${MAC}:${PRE} `, { scheme: 'L402', macaroons: [MAC], preimage: PRE }],
  ])('parses %s', (_name, header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it.each([
    ['an empty value', ''],
    ['a Bearer token', `Bearer ${MAC}`],
    ['no preimage', `L402 ${MAC}`],
    ['an uppercase preimage', `L402 ${MAC}:${PRE.toUpperCase()}`],
    ['a 63-char preimage', `L402 ${MAC}:${PRE.slice(1)}`],
    ['a 66-char preimage', `L402 ${MAC}:${PRE}ab`],
    ['no macaroon', `L402 :${PRE}`],
    ['an empty macaroon in a list', `L402 ${MAC},:${PRE}`],
    ['a macaroon with a quote', `L402 "${MAC}":${PRE}`],
    ['no space after the scheme', `L402${MAC}:${PRE}`],
  ])('rejects %s as malformed_header', (_name, header) => {
    expect(codeOf(() => parseAuthorization(header))).toBe('malformed_header');
  });

  it('formats one macaroon and a lowercase preimage', () => {
    expect(formatAuthorization({ macaroon: MAC, preimage: PRE.toUpperCase() })).toBe(`L402 ${MAC}:${PRE}`);
    expect(codeOf(() => formatAuthorization({ macaroon: MAC, preimage: 'xyz' }))).toBe('malformed_header');
  });

  it('formats in the scheme it is given (LSAT for an LSAT-era server) and refuses any other', () => {
    expect(formatAuthorization({ macaroon: MAC, preimage: PRE, scheme: 'LSAT' })).toBe(`LSAT ${MAC}:${PRE}`);
    expect(formatAuthorization({ macaroon: MAC, preimage: PRE, scheme: 'L402' })).toBe(`L402 ${MAC}:${PRE}`);
    const bearer = { macaroon: MAC, preimage: PRE, scheme: 'Bearer' as 'L402' };
    expect(() => formatAuthorization(bearer)).toThrow('Authorization scheme is not L402 or LSAT: "Bearer"');
  });

  it('format then parse gives back any macaroon and preimage', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (mac, pre) => {
          const macaroon = Buffer.from(mac).toString('base64');
          const preimage = Buffer.from(pre).toString('hex');
          expect(parseAuthorization(formatAuthorization({ macaroon, preimage }))).toEqual({
            scheme: 'L402',
            macaroons: [macaroon],
            preimage,
          });
        },
      ),
    );
  });

  it('random strings parse or fail with malformed_header, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (s) => {
        expect(['no error', 'malformed_header']).toContain(codeOf(() => parseAuthorization(s)));
        expect(['no error', 'malformed_header']).toContain(
          codeOf(() => parseAuthorization(`L402 ${s}:${PRE}`)),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('Authorization sent more than once (joined by ", ")', () => {
  const MAC2 = 'AgEEbHNhdAJCAAD+/w==';
  const PRE2 = 'cd'.repeat(32);

  it.each<[string, string, string[]]>([
    ['one credential', `L402 ${MAC}:${PRE}`, [`L402 ${MAC}:${PRE}`]],
    ['one credential with several macaroons', `L402 ${MAC}, ${MAC2}:${PRE}`, [`L402 ${MAC}, ${MAC2}:${PRE}`]],
    [
      'two L402 credentials',
      `L402 ${MAC}:${PRE}, L402 ${MAC2}:${PRE2}`,
      [`L402 ${MAC}:${PRE}`, `L402 ${MAC2}:${PRE2}`],
    ],
    ['the short joined form', 'L402 a:b, L402 c:d', ['L402 a:b', 'L402 c:d']],
    ['a credential then junk', `L402 ${MAC}:${PRE}, junk`, [`L402 ${MAC}:${PRE}`, 'junk']],
    ['a credential then an empty header', `L402 ${MAC}:${PRE}, `, [`L402 ${MAC}:${PRE}`, '']],
    ['junk then a credential', `junk, L402 ${MAC}:${PRE}`, ['junk', `L402 ${MAC}:${PRE}`]],
    [
      'a Bearer token then a credential',
      `Bearer abc, L402 ${MAC}:${PRE}`,
      ['Bearer abc', `L402 ${MAC}:${PRE}`],
    ],
    [
      'a macaroon without preimage then a credential',
      `L402 ${MAC}, LSAT ${MAC2}:${PRE}`,
      [`L402 ${MAC}`, `LSAT ${MAC2}:${PRE}`],
    ],
    [
      "Aperture's Go client copies (LSAT then L402), counted once",
      `LSAT ${MAC}:${PRE}, L402 ${MAC}:${PRE}`,
      [`LSAT ${MAC}:${PRE}`],
    ],
    ['two identical pay-on-success retries, counted once', `L402 ${MAC}:, L402 ${MAC}:`, [`L402 ${MAC}:`]],
    [
      'the same macaroon with two preimages',
      `L402 ${MAC}:${PRE}, L402 ${MAC}:${PRE2}`,
      [`L402 ${MAC}:${PRE}`, `L402 ${MAC}:${PRE2}`],
    ],
  ])('splits %s', (_name, header, expected) => {
    expect(splitAuthorization(header)).toEqual(expected);
  });

  it('parses the LSAT and L402 copies a Go client sends as the one credential', () => {
    expect(parseAuthorization(`LSAT ${MAC}:${PRE}, L402 ${MAC}:${PRE}`)).toEqual({
      scheme: 'LSAT',
      macaroons: [MAC],
      preimage: PRE,
    });
  });

  it.each([
    ['two different credentials', 'L402 a:b, L402 c:d', '(2 different: "L402 a:b", "L402 c:d")'],
    [
      'a valid credential then junk',
      `L402 ${MAC}:${PRE}, junk`,
      '(2 different: "L402 AgEEbHNhdAJCAAC+/w=…(90 chars)", "junk")',
    ],
  ])('refuses %s as malformed_header naming the several credentials', (_name, header, listed) => {
    expect(() => parseAuthorization(header)).toThrow(
      new LabError(
        'malformed_header',
        `the request carries more than one Authorization credential ${listed}; send one`,
      ),
    );
  });

  it('splits 64 KiB of commas in linear time and returns an over-long value whole', () => {
    const commas = `L402 ${','.repeat(64 * 1024 - 5)}`;
    const t0 = performance.now();
    expect(splitAuthorization(commas)).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(500);
    const long = `L402 ${'A'.repeat(64 * 1024)}:${PRE}`;
    expect(splitAuthorization(long)).toEqual([long]);
  });
});
