import { describe, expect, it } from 'vitest';
import { fuzzClient } from './fuzz-client.js';
import type { FuzzTally } from './fuzz-common.js';
import { fuzzHeaders } from './fuzz-headers.js';
import { fuzzInvoices, fuzzMacaroons } from './fuzz-parsers.js';
import { fuzzRegistry } from './fuzz-registry.js';

/**
 * A seeded slice of the fuzz bench (`npm run bench -- fuzz` runs 100,000
 * cases per target): the same generators, a few thousand cases, seed 1.
 */
const SEED = 1;

const clean = (t: FuzzTally, cases: number) => ({
  cases,
  status5xx: 0,
  crashes: 0,
  hangs: 0,
  problems: t.problems.filter((p) => !p.startsWith('forgeries')),
});

describe('fuzz slice, seed 1', () => {
  it.each([
    [
      'macaroons: the verifier answers every mutated token with a refusal, never a throw or an acceptance',
      fuzzMacaroons,
      2_000,
    ],
    [
      "invoices: decoding throws only BOLT 11 LabErrors and no mutation passes as the payee's",
      fuzzInvoices,
      2_000,
    ],
    [
      'registry bodies: every answer is a 2xx or a coded 4xx and no changed signed body is accepted',
      fuzzRegistry,
      1_000,
    ],
    [
      'L402 headers: the paywall never answers a hostile Authorization with a 5xx or serves it',
      fuzzHeaders,
      400,
    ],
  ] as const)(
    '%s',
    async (_what, fuzz, cases) => {
      const t = await fuzz(SEED, cases);
      expect({ ...clean(t, t.cases), forgeries: t.forgeries, problems: t.problems }).toEqual({
        ...clean(t, cases),
        forgeries: 0,
        problems: [],
      });
    },
    180_000,
  );

  it('client hostile 402s: the client answers every hostile seller with a result, never a throw or a hang', async () => {
    const t = await fuzzClient(SEED, 400);
    expect(clean(t, t.cases)).toEqual({ ...clean(t, 400), problems: [] });
  }, 180_000);
});
