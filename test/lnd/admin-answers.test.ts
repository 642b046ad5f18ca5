/**
 * The regtest bootstrap's node administration (infra/regtest/lnd-admin.ts) reads LND's answers as
 * LndNode does: an answer of another shape is LndError bad_response naming the call, the field as
 * it is written and what was expected, in the lab's plain words, not a raw ZodError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LndError } from '../../infra/lightning/lnd/index.js';
import { LndAdmin } from '../../infra/regtest/lnd-admin.js';
import { answer, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** An LndAdmin on a peer that answers each path in `answers` (JSON, 200), every other one `{}`. */
async function adminAnswering(answers: Record<string, unknown>): Promise<LndAdmin> {
  peer = await startHostileLnd((req, res) => answer(res, 200, answers[req.path] ?? {}));
  return new LndAdmin(peer.node().rest);
}

describe('LndAdmin given an answer of another shape', () => {
  it.each([
    [
      'getinfo with a number for the pubkey',
      { '/v1/getinfo': { identity_pubkey: 5, synced_to_chain: true } },
      (a: LndAdmin) => a.getInfo(),
      'getinfo: unexpected response from LND at identity_pubkey: expected text, got 5',
    ],
    [
      'getinfo without the pubkey',
      { '/v1/getinfo': { synced_to_chain: true } },
      (a: LndAdmin) => a.getInfo(),
      'getinfo: unexpected response from LND at identity_pubkey: required: add identity_pubkey',
    ],
    [
      'pending channels with a number for a channel point',
      {
        '/v1/channels/pending': {
          pending_open_channels: [{ channel: { remote_node_pub: 'ab', channel_point: 7, capacity: '5' } }],
        },
      },
      (a: LndAdmin) => a.channelsWith('ab'),
      'pending channels: unexpected response from LND at pending_open_channels[0].channel.channel_point: expected text, got 7',
    ],
    [
      'channels with true for a capacity',
      { '/v1/channels': { channels: [{ remote_pubkey: 'ab', channel_point: 'tx:0', capacity: true }] } },
      (a: LndAdmin) => a.channels(),
      'list channels: unexpected response from LND at channels[0].capacity: expected text or a number, got true',
    ],
  ])('%s is bad_response naming the call and the field', async (_what, answers, call, message) => {
    const err = await call(await adminAnswering(answers)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LndError);
    expect(err).toMatchObject({ code: 'bad_response', message });
  });
});
