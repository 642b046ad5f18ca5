/**
 * The regtest bootstrap's node administration (infra/regtest/lnd-admin.ts) reads LND's answers as
 * LndNode does: an answer of another shape is LndError bad_response naming the call, the field as
 * it is written and what was expected, in the lab's plain words, not a raw ZodError, a NaN balance
 * or an undefined address. waitForLnd stops at once on such an answer, naming the node.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LndError } from '../../infra/lightning/lnd/index.js';
import { LndAdmin, waitForLnd } from '../../infra/regtest/lnd-admin.js';
import { systemClock } from '../../infra/time/clock.js';
import { answer, CERT, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
let dir: string | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts a peer that answers each path in `answers` (JSON, 200), every other one `{}`. */
async function peerAnswering(answers: Record<string, unknown>): Promise<HostileLnd> {
  peer = await startHostileLnd((req, res) => answer(res, 200, answers[req.path] ?? {}));
  return peer;
}

const NEW_ADDRESS = '/v1/newaddress?type=WITNESS_PUBKEY_HASH';
const PEERS = '/v1/peers';
const GRAPH = '/v1/graph?include_unannounced=true';
const open = (a: LndAdmin) => a.openChannel('ab', { capacitySat: 1_000_000 });
/** A funding txid as LND sends it: 32 bytes, standard base64. */
const TXID_BYTES = Buffer.alloc(32, 7).toString('base64');

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
      'pending channels with a fraction of a sat for a capacity',
      {
        '/v1/channels/pending': {
          pending_open_channels: [
            { channel: { remote_node_pub: 'ab', channel_point: 'tx:0', capacity: '2.5' } },
          ],
        },
      },
      (a: LndAdmin) => a.channelsWith('ab'),
      'pending channels: unexpected response from LND at pending_open_channels[0].channel.capacity: expected a safe integer, got "2.5"',
    ],
    [
      'channels with true for a capacity',
      { '/v1/channels': { channels: [{ remote_pubkey: 'ab', channel_point: 'tx:0', capacity: true }] } },
      (a: LndAdmin) => a.channels(),
      'list channels: unexpected response from LND at channels[0].capacity: expected text or a number, got true',
    ],
    [
      'newaddress with a number for the address',
      { [NEW_ADDRESS]: { address: 5 } },
      (a: LndAdmin) => a.newAddress(),
      'new address: unexpected response from LND at address: expected text, got 5',
    ],
    [
      'newaddress without the address',
      { [NEW_ADDRESS]: {} },
      (a: LndAdmin) => a.newAddress(),
      'new address: unexpected response from LND at address: required: add address',
    ],
    [
      'wallet balance with words for the confirmed balance',
      { '/v1/balance/blockchain': { confirmed_balance: 'lots' } },
      (a: LndAdmin) => a.confirmedBalanceSat(),
      'wallet balance: unexpected response from LND at confirmed_balance: expected a safe integer, got "lots"',
    ],
    [
      'wallet balance with a fraction of a sat',
      { '/v1/balance/blockchain': { confirmed_balance: '12.5' } },
      (a: LndAdmin) => a.confirmedBalanceSat(),
      'wallet balance: unexpected response from LND at confirmed_balance: expected a safe integer, got "12.5"',
    ],
    [
      'peers with a number for a pubkey',
      { [PEERS]: { peers: [{ pub_key: 7 }] } },
      (a: LndAdmin) => a.peers(),
      'list peers: unexpected response from LND at peers[0].pub_key: expected text, got 7',
    ],
    [
      'peers with text for the list',
      { [PEERS]: { peers: 'none' } },
      (a: LndAdmin) => a.peers(),
      'list peers: unexpected response from LND at peers: expected a list, got "none"',
    ],
    [
      'openchannel without the funding txid',
      { '/v1/channels': { output_index: 1 } },
      open,
      'open channel: unexpected response from LND at funding_txid_bytes: required: add funding_txid_bytes',
    ],
    [
      'openchannel with a funding txid of 3 bytes',
      { '/v1/channels': { funding_txid_bytes: 'AAEC', output_index: 1 } },
      open,
      'open channel: unexpected response from LND at funding_txid_bytes: expected a transaction id: 32 bytes in base64',
    ],
    [
      'openchannel with text for the output index',
      { '/v1/channels': { funding_txid_bytes: TXID_BYTES, output_index: 'first' } },
      open,
      'open channel: unexpected response from LND at output_index: expected a number, got "first"',
    ],
    [
      'graph with a number for a channel point',
      { [GRAPH]: { edges: [{ chan_point: 5, node1_policy: {}, node2_policy: {} }] } },
      (a: LndAdmin) => a.graphChannelPoints(),
      'graph: unexpected response from LND at edges[0].chan_point: expected text, got 5',
    ],
    [
      'graph with text for a policy',
      { [GRAPH]: { edges: [{ chan_point: 'tx:0', node1_policy: 'known', node2_policy: {} }] } },
      (a: LndAdmin) => a.graphChannelPoints(),
      'graph: unexpected response from LND at edges[0].node1_policy: expected an object (key: value entries), got "known"',
    ],
  ])('%s is bad_response naming the call and the field', async (_what, answers, call, message) => {
    const admin = new LndAdmin((await peerAnswering(answers)).node().rest);
    const err = await call(admin).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LndError);
    expect(err).toMatchObject({ code: 'bad_response', message });
  });
});

describe('waitForLnd given an answer of another shape', () => {
  /** Waits for the peer as for a node we started: its tls.cert and macaroon on disk. */
  async function waitFor(answers: Record<string, unknown>): Promise<unknown> {
    const { restUrl } = await peerAnswering(answers);
    dir = await mkdtemp(join(tmpdir(), 'l402-wait-lnd-'));
    const files = { restUrl, tlsCertPath: join(dir, 'tls.cert'), macaroonPath: join(dir, 'admin.macaroon') };
    await writeFile(files.tlsCertPath, CERT);
    await writeFile(files.macaroonPath, Buffer.from('0201', 'hex'));
    return waitForLnd(files, { clock: systemClock, timeoutMs: 5_000 }).catch((e: unknown) => e);
  }

  it.each([
    [
      'a number for the state',
      { '/v1/state': { state: 5 } },
      'state: unexpected response from LND at state: expected text, got 5',
    ],
    [
      'getinfo without the pubkey once active',
      { '/v1/state': { state: 'SERVER_ACTIVE' }, '/v1/getinfo': { synced_to_chain: true } },
      'getinfo: unexpected response from LND at identity_pubkey: required: add identity_pubkey',
    ],
  ])(
    '%s is bad_response at once, naming the node, the call and the field',
    async (_what, answers, message) => {
      const err = await waitFor(answers);
      expect(err).toBeInstanceOf(LndError);
      expect(err).toMatchObject({ code: 'bad_response', message: `lnd at ${peer!.restUrl}: ${message}` });
    },
  );
});
