import { afterEach, describe, expect, it } from 'vitest';
import { LndNode, type LndNodeOptions } from '../../infra/lightning/lnd/index.js';
import { CERT, decodes, HASH, INVOICE, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('a time limit that is not a whole number of ms is refused, naming the option', () => {
  it.each([
    [NaN, 'NaN'],
    [-5, '-5'],
    [1.5, '1.5'],
  ])('pay({ timeoutMs: %s }) throws bad_request before asking LND anything', async (timeoutMs, shown) => {
    peer = await startHostileLnd((req, res) => void decodes(req, res));

    const err = await peer
      .node()
      .pay(INVOICE, { timeoutMs })
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_request',
      message: `timeoutMs must be a whole number of ms, at least 1; got ${shown}`,
    });
    expect(peer.requests).toEqual([]);
  });

  it('waitForPayment(hash, NaN) throws bad_request naming timeoutMs', async () => {
    peer = await startHostileLnd(() => undefined);

    const err = await peer
      .node()
      .waitForPayment(HASH, NaN)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_request',
      message: 'timeoutMs must be a whole number of ms, at least 1; got NaN',
    });
    expect(peer.requests).toEqual([]);
  });

  it.each([
    [
      'reconnectTimeoutMs: NaN',
      { reconnectTimeoutMs: NaN },
      'reconnectTimeoutMs must be a whole number of ms, at least 0; got NaN',
    ],
    [
      'retry.maxWaitMs: NaN',
      { retry: { maxWaitMs: NaN } },
      'retry.maxWaitMs must be a whole number of ms, at least 0; got NaN',
    ],
    [
      'retry.maxDelayMs: 0',
      { retry: { maxDelayMs: 0 } },
      'retry.maxDelayMs must be a whole number of ms, at least 1; got 0',
    ],
    [
      'limits.callTimeoutMs: 0',
      { limits: { callTimeoutMs: 0 } },
      'limits.callTimeoutMs must be a whole number of ms, at least 1; got 0',
    ],
    [
      'limits.feedIdleMs: Infinity',
      { limits: { feedIdleMs: Infinity } },
      'limits.feedIdleMs must be a whole number of ms, at least 1; got Infinity',
    ],
    [
      'limits.maxLineBytes: -1',
      { limits: { maxLineBytes: -1 } },
      'limits.maxLineBytes must be a whole number of bytes, at least 1; got -1',
    ],
  ] as Array<[string, Omit<LndNodeOptions, 'connection'>, string]>)(
    'new LndNode with %s throws bad_config naming that option',
    (_name, opts, message) => {
      const connection = { restUrl: 'https://127.0.0.1:1', tlsCert: CERT, macaroon: '0201' };
      expect(() => new LndNode({ ...opts, connection })).toThrow(
        expect.objectContaining({ code: 'bad_config', message }),
      );
    },
  );
});
