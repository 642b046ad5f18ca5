import { describe, expect, it } from 'vitest';
import * as npm from 'macaroon';
import { Macaroon, isL402Error } from '../../infra/l402/index.js';
import { goThirdParty, libmacaroonsV2, readmeChain } from './fixtures/macaroon-vectors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const std64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isL402Error(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('libmacaroons V2 vectors', () => {
  it.each(libmacaroonsV2)('$source parses to its fields and re-serializes byte for byte', (v) => {
    const mac = Macaroon.fromBase64(v.base64);
    expect(mac.location).toBe(v.location);
    expect(new TextDecoder().decode(mac.identifier)).toBe(v.identifier);
    expect(mac.caveats).toEqual(v.caveats);
    expect(Buffer.from(mac.toBinary()).toString('base64url')).toBe(v.base64);
  });

  it.each(libmacaroonsV2)('$source verifies only with the right root key', (v) => {
    expect(Macaroon.fromBase64(v.base64).verifySignature(utf8(v.rootKey))).toBe(v.authorized);
  });

  it.each(libmacaroonsV2.filter((v) => v.authorized))(
    '$source is what minting the same fields gives',
    (v) => {
      let mac = Macaroon.mint({ rootKey: utf8(v.rootKey), identifier: v.identifier, location: v.location });
      for (const c of v.caveats) mac = mac.addFirstPartyCaveat(c);
      expect(Buffer.from(mac.toBinary()).toString('base64url')).toBe(v.base64);
    },
  );

  it('the README walk-through gives the published signature after every caveat', () => {
    let mac = Macaroon.mint({
      rootKey: utf8(readmeChain.rootKey),
      identifier: readmeChain.identifier,
      location: readmeChain.location,
    });
    for (const step of readmeChain.steps) {
      if (step.caveat) mac = mac.addFirstPartyCaveat(step.caveat);
      expect(hex(mac.signature)).toBe(step.signature);
    }
  });

  it("Go's third-party vector is refused with a bad_macaroon that says why", () => {
    const bytes = Buffer.from(goThirdParty.hex, 'hex');
    expect(() => Macaroon.fromBinary(bytes)).toThrow(/third-party/);
    expect(codeOf(() => Macaroon.fromBinary(bytes))).toBe('bad_macaroon');
  });
});

describe('serialization', () => {
  const rootKey = utf8('0123456789abcdef0123456789abcdef');

  it('a macaroon without location has no location packet (as Go omits it)', () => {
    const mac = Macaroon.mint({ rootKey, identifier: 'id' });
    expect(hex(mac.toBinary()).slice(0, 6)).toBe('020202');
    expect(Macaroon.fromBinary(mac.toBinary()).location).toBe('');
  });

  it('a macaroon minted at location "lsat" starts AgEEbHNhdAJC like Aperture tokens', () => {
    const mac = Macaroon.mint({ rootKey, identifier: new Uint8Array(66), location: 'lsat' });
    expect(mac.toBase64().startsWith('AgEEbHNhdAJC')).toBe(true);
  });

  it('standard, URL-safe, padded and unpadded base64 all parse to the same macaroon', () => {
    const mac = Macaroon.mint({ rootKey, identifier: new Uint8Array(66).fill(0xfb), location: 'lsat' })
      .addFirstPartyCaveat('services=a:0')
      .addFirstPartyCaveat('x=y?>');
    const std = mac.toBase64();
    const forms = [std, std.replace(/=+$/, ''), Buffer.from(mac.toBinary()).toString('base64url')];
    expect(std).toMatch(/[+/]/);
    for (const f of forms) expect(Macaroon.fromBase64(f).toBase64()).toBe(std);
  });

  it('adding a caveat returns a new macaroon and leaves the original alone', () => {
    const a = Macaroon.mint({ rootKey, identifier: 'id' });
    const b = a.addFirstPartyCaveat('k=v');
    expect(a.caveats).toEqual([]);
    expect(b.caveats).toEqual(['k=v']);
    expect(hex(a.signature)).not.toBe(hex(b.signature));
    expect(b.verifySignature(rootKey)).toBe(true);
  });

  it('mutating returned arrays does not change the macaroon', () => {
    const mac = Macaroon.mint({ rootKey, identifier: 'id' }).addFirstPartyCaveat('k=v');
    mac.identifier.fill(0);
    mac.signature.fill(0);
    mac.caveats.push('evil=1');
    expect(mac.verifySignature(rootKey)).toBe(true);
    expect(mac.caveats).toEqual(['k=v']);
  });

  it('caveat text survives as UTF-8, including a leading byte-order mark', () => {
    const mac = Macaroon.mint({ rootKey, identifier: 'id' }).addFirstPartyCaveat('\ufeffname=Zoë ⚡');
    const back = Macaroon.fromBinary(mac.toBinary());
    expect(back.caveats).toEqual(['\ufeffname=Zoë ⚡']);
    expect(back.verifySignature(rootKey)).toBe(true);
  });

  it('lengths of 128 bytes and more use multi-byte varints that round-trip', () => {
    const long = 'c=' + 'x'.repeat(300);
    const mac = Macaroon.mint({ rootKey, identifier: 'i'.repeat(200) }).addFirstPartyCaveat(long);
    const back = Macaroon.fromBinary(mac.toBinary());
    expect(back.caveats).toEqual([long]);
    expect(back.verifySignature(rootKey)).toBe(true);
  });
});

describe('hostile binary is a bad_macaroon, never an exception of another kind', () => {
  const good = Macaroon.mint({ rootKey: utf8('k'), identifier: 'id', location: 'loc' })
    .addFirstPartyCaveat('a=b')
    .toBinary();
  const cases: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['a V1 (or unknown) version byte', Uint8Array.from([1, ...good.slice(1)])],
    ['trailing garbage after the signature', Uint8Array.from([...good, 0])],
    ['a truncated signature', good.slice(0, good.length - 1)],
    ['a packet cut in the middle', good.slice(0, 8)],
    ['a length larger than the input', Uint8Array.from([2, 2, 0x7f, 1, 2, 3])],
    ['a huge varint length', Uint8Array.from([2, 2, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['a non-minimal varint', Uint8Array.from([2, 0x82, 0x00, 1, 0x41, 0, 0, 6, 32, ...new Uint8Array(32)])],
    ['a signature tag where the identifier belongs', Uint8Array.from([2, 6, 32, ...new Uint8Array(32)])],
    ['a signature of 31 bytes', Uint8Array.from([2, 2, 1, 0x41, 0, 0, 6, 31, ...new Uint8Array(31)])],
    [
      'an unknown tag in a caveat section',
      Uint8Array.from([2, 2, 1, 0x41, 0, 3, 1, 0x41, 0, 0, 6, 32, ...new Uint8Array(32)]),
    ],
    ['an empty location packet', Uint8Array.from([2, 1, 0, 2, 1, 0x41, 0, 0, 6, 32, ...new Uint8Array(32)])],
    ['more than 64 KiB', new Uint8Array(70_000).fill(2)],
  ];
  it.each(cases)('%s', (_name, bytes) => {
    expect(codeOf(() => Macaroon.fromBinary(bytes))).toBe('bad_macaroon');
  });

  it('a caveat that is not UTF-8 is kept as bytes (Go and Aperture accept it; only a satisfier reading it fails)', () => {
    const bytes = Uint8Array.from([2, 2, 1, 0x41, 0, 2, 1, 0xff, 0, 0, 6, 32, ...new Uint8Array(32)]);
    const mac = Macaroon.fromBinary(bytes);
    expect(mac.caveatBytes).toEqual([Uint8Array.from([0xff])]);
    expect(mac.toBinary()).toEqual(bytes);
  });

  it.each([
    ['characters outside base64', 'AgEE$$$$'],
    ['mixed standard and URL-safe alphabets', 'Ag+E_A=='],
    ['an impossible length', 'AgEEb'],
    ['non-canonical trailing bits', 'AgF='],
    ['an empty string', ''],
  ])('base64 with %s', (_name, text) => {
    expect(codeOf(() => Macaroon.fromBase64(text))).toBe('bad_macaroon');
  });
});

describe('cross-check with the macaroon npm package (test-only dependency)', () => {
  const rootKey = utf8('a root key of some thirty-two by');

  it.each([0, 1, 2])('with %i caveats both libraries produce the same bytes both ways', (n) => {
    let ours = Macaroon.mint({ rootKey, identifier: new Uint8Array(66).fill(7), location: 'lsat' });
    const theirs = npm.newMacaroon({ rootKey, identifier: new Uint8Array(66).fill(7), location: 'lsat' });
    for (let i = 0; i < n; i++) {
      ours = ours.addFirstPartyCaveat(`c${i}=v${i}`);
      theirs.addFirstPartyCaveat(`c${i}=v${i}`);
    }
    expect(std64(theirs.exportBinary())).toBe(ours.toBase64());
    const imported = npm.importMacaroon(ours.toBinary());
    expect(hex(imported.signature)).toBe(hex(ours.signature));
    expect(() => imported.verify(rootKey, () => null)).not.toThrow();
  });

  it('with 12 caveats the signatures agree and each verifies the other', () => {
    let ours = Macaroon.mint({ rootKey, identifier: 'id-12', location: 'here' });
    const theirs = npm.newMacaroon({ rootKey, identifier: 'id-12', location: 'here' });
    for (let i = 0; i < 12; i++) {
      ours = ours.addFirstPartyCaveat(`svc_cond${i}=value ${i}`);
      theirs.addFirstPartyCaveat(`svc_cond${i}=value ${i}`);
    }
    expect(hex(theirs.signature)).toBe(hex(ours.signature));
    // npm's exportBinary breaks past 2 caveats; its importer does not
    const imported = npm.importMacaroon(ours.toBinary());
    const seen: string[] = [];
    imported.verify(rootKey, (c) => (seen.push(c), null));
    expect(seen).toEqual(ours.caveats);
    expect(() => imported.verify(utf8('wrong'), () => null)).toThrow();
  });
});
