import { z } from 'zod';
import { int64, uint32 } from '../lightning/lnd/wire.js';

/*
 * The LND REST answers the regtest bring-up reads (`LndAdmin`, `waitForLnd`),
 * as far as it reads them; `parseWire` turns another shape into
 * `LndError('bad_response')` naming the field. int64 fields come as decimal
 * strings (`int64`: safe integers only), uint32 ones as JSON numbers. The
 * answers LndNode reads too (channels, wallet balance) are in wire.ts.
 */

/** GET /v1/state: the node's startup state (`SERVER_ACTIVE` once it serves RPCs). */
export const stateSchema = z.object({ state: z.string().optional() });

/** GET /v1/getinfo, with the graph sync the bring-up waits for. */
export const getInfoSchema = z.object({
  identity_pubkey: z.string(),
  synced_to_chain: z.boolean().default(false),
  synced_to_graph: z.boolean().default(false),
  block_height: uint32.default(0),
});

/** GET /v1/newaddress: a fresh wallet address. */
export const newAddressSchema = z.object({ address: z.string().min(1) });

/** GET /v1/peers: the connected peers' pubkeys. */
export const peerListSchema = z.object({
  peers: z
    .array(z.object({ pub_key: z.string() }))
    .nullish()
    .transform((v) => v ?? []),
});

/** POST /v1/channels: the new channel's point, the funding txid as bytes (standard base64). */
export const channelPointSchema = z.object({
  funding_txid_bytes: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, { error: 'expected a transaction id: 32 bytes in base64' }),
  output_index: uint32.default(0),
});

/** GET /v1/channels/pending: the channels waiting for their funding tx to confirm. */
export const pendingOpenSchema = z.object({
  pending_open_channels: z
    .array(
      z.object({
        channel: z.object({ remote_node_pub: z.string(), channel_point: z.string(), capacity: int64 }),
      }),
    )
    .nullish()
    .transform((v) => v ?? []),
});

/** A direction's routing policy: null until the node has its channel update. */
const policySchema = z.object({}).nullish();

/** GET /v1/graph: the channels the node knows, with each direction's policy. */
export const graphSchema = z.object({
  edges: z
    .array(z.object({ chan_point: z.string(), node1_policy: policySchema, node2_policy: policySchema }))
    .nullish()
    .transform((v) => v ?? []),
});
