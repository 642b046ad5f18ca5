import { describe, expect, it } from 'vitest';
import { fuzzClient } from './fuzz-client.js';
import { fuzzHeaders } from './fuzz-headers.js';
import { fuzzInvoices, fuzzMacaroons } from './fuzz-parsers.js';
import { fuzzRegistry } from './fuzz-registry.js';

/**
 * A seeded slice of the fuzz bench (`npm run bench -- fuzz` runs 100,000
 * cases per target): the same generators, 5,800 cases, seed 1, every
 * outcome counted exactly.
 */
const SEED = 1;

const clean = (cases: number) => ({ cases, status5xx: 0, crashes: 0, hangs: 0, forgeries: 0, problems: [] });

describe('fuzz slice, seed 1', () => {
  it.each([
    [
      'macaroons: the verifier answers every mutated token with a refusal, never a throw or an acceptance',
      fuzzMacaroons,
      2_000,
      {
        bad_macaroon: 1_092,
        malformed_header: 412,
        wrong_preimage: 193,
        unknown_token: 118,
        bad_signature: 165,
        unknown_version: 20,
      },
    ],
    [
      "invoices: decoding throws only BOLT 11 LabErrors and no mutation passes as the payee's",
      fuzzInvoices,
      2_000,
      {
        genuine: 228,
        malformed: 1_297,
        bad_amount: 99,
        bad_checksum: 133,
        decoded_other_payee: 207,
        unknown_network: 17,
        bad_signature: 19,
      },
    ],
    [
      'registry bodies: every answer is a 2xx or a coded 4xx and no changed signed body is accepted',
      fuzzRegistry,
      1_000,
      {
        '400 invalid_body': 566,
        '400 invalid_id': 79,
        '400 invalid_query': 72,
        '400 bad_json': 242,
        '404 not_found': 11,
        '400 bad_signature': 1,
        http_200: 11,
        '413 body_too_large': 18,
      },
    ],
    [
      'L402 headers: the paywall never answers a hostile Authorization with a 5xx and serves only the genuine credentials',
      fuzzHeaders,
      400,
      {
        'http_402 missing': 84,
        'http_402 malformed_header': 241,
        // Mutations with a comma then `<token> <…>`: a second credential by the grammar.
        'http_400 bad_header': 3,
        http_200: 48,
        'http_402 bad_macaroon': 19,
        'http_402 wrong_preimage': 1,
        'http_402 bad_signature': 4,
      },
    ],
    [
      'client hostile 402s: the client answers every hostile seller with a result, never a throw, a hang or a payment the checks forbid',
      fuzzClient,
      400,
      {
        'paid:token_rejected': 14,
        invoice_rejected: 139,
        seller_error: 131,
        no_quote: 78,
        no_route: 13,
        'paid:success': 17,
        'paid:not_delivered': 7,
        'paid:quota_exhausted': 1,
      },
    ],
  ] as const)(
    '%s',
    async (_what, fuzz, cases, outcomes) => {
      const t = await fuzz(SEED, cases);
      const { status5xx, crashes, hangs, forgeries, problems } = t;
      expect({ cases: t.cases, status5xx, crashes, hangs, forgeries, problems }).toEqual(clean(cases));
      // Seeded: the same cases end the same way (a change here is a change in what the product answers).
      expect(t.outcomes).toEqual(outcomes);
    },
    180_000,
  );
});
