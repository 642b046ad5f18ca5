import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { parseAuthorization } from '../../infra/l402/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, buy, inMemory, json, makeWorld } from '../paywall/helpers.js';

/**
 * A stray comma in `Authorization` (`L402 <mac>:<hex>,`) splits off an empty
 * part: still refused (which part to honour is no longer one credential), but
 * named as the empty credential it is, not as a second, different one.
 */

const MAC = 'AgEEbHNhdAJCAAC+/w==';
const PRE = 'ab'.repeat(32);
const CRED = `L402 ${MAC}:${PRE}`;
const SHOWN = `"${CRED.slice(0, 24)}…(${CRED.length} chars)"`;
const STRAY = (shown: string) =>
  `the Authorization header has an empty credential (a stray comma beside ${shown}); send the credential alone, without a comma before or after it`;

describe('an Authorization value with a stray comma', () => {
  it.each([
    ['a trailing comma', `${CRED},`],
    ['a trailing comma and a blank', `${CRED}, `],
    ['two trailing commas', `${CRED},,`],
    ['a leading comma', `, ${CRED}`],
  ])('refuses %s as malformed_header naming the empty credential', (_name, header) => {
    expect(() => parseAuthorization(header)).toThrow(new LabError('malformed_header', STRAY(SHOWN)));
  });

  it('names both a second credential and the empty one when the value has both', () => {
    expect(() => parseAuthorization('L402 a:b, , L402 c:d')).toThrow(
      new LabError(
        'malformed_header',
        'the request carries more than one Authorization credential (2 different: "L402 a:b", "L402 c:d") and an empty one (a stray comma); send one',
      ),
    );
  });

  it('is answered 400 bad_header by the paywall, naming the stray comma, and spends no call of the token', async () => {
    const w = makeWorld();
    const http = inMemory(
      appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 2_000, maxCalls: 2 })),
    );
    const { authorization, res } = await buy(w, http, '/v1/data');
    expect(res.status).toBe(200);
    const refused = await http('/v1/data', { headers: { authorization: `${authorization},` } });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toEqual({
      error: 'bad_header',
      message: STRAY(`"${authorization.slice(0, 24)}…(${authorization.length} chars)"`),
    });
    // Refused before verifying: the token's second and last call still goes through.
    expect((await http('/v1/data', { headers: { authorization } })).status).toBe(200);
    expect((await http('/v1/data', { headers: { authorization } })).status).toBe(402);
  });
});
