import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors.js';
import { describeIssue, plainErrorMap } from '../zod-wording.js';

/** What a node is for in the market; `other` when nobody said (Polar networks). */
export const nodeRoleSchema = z.enum(['hub', 'seller', 'buyer', 'router', 'reseller', 'other']);
export type NodeRole = z.infer<typeof nodeRoleSchema>;

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');
const hex66 = z
  .string()
  .regex(/^0[23][0-9a-f]{64}$/, 'must be a 33-byte compressed public key in lowercase hex');

/** One LND node: where its REST API is, the files to authenticate, who it is. */
export const nodeDescSchema = z.object({
  name: z.string().min(1),
  role: nodeRoleSchema,
  restUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
  /** Absolute, or relative to the network.json that names it. */
  tlsCertPath: z.string().min(1),
  macaroonPath: z.string().min(1),
  pubkey: hex66,
  /** P2P address other nodes (and you) reach it at. */
  p2p: hostPort,
  /** lnd's gRPC listener (Aperture and lnget speak gRPC), when known. */
  grpc: hostPort.optional(),
});
export type NodeDesc = z.infer<typeof nodeDescSchema>;

/** The bitcoin node under the network: how to mine and fund. */
export const bitcoinDescSchema = z.object({
  backend: z.enum(['btcd', 'bitcoind']),
  rpcUrl: z.url(),
  rpcUser: z.string(),
  rpcPass: z.string(),
  /** btcd's rpc.cert (its RPC is HTTPS-only). */
  rpcCertPath: z.string().optional(),
  /** Seed of the TypeScript faucet key that mining pays (see `Faucet`); absent for Polar. */
  faucetSeed: z.string().optional(),
});
export type BitcoinDesc = z.infer<typeof bitcoinDescSchema>;

export const channelDescSchema = z.object({
  from: z.string(),
  to: z.string(),
  capacitySat: z.number().int().positive(),
  channelPoint: z.string(),
});

/** network.json: everything agents, services and the simulator need to find a real network. */
export const networkDescSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(['native', 'docker', 'polar']),
    network: z.literal('regtest'),
    createdAt: z.string(),
    nodes: z.array(nodeDescSchema).min(1),
    /** Absent when the network has no bitcoind we can reach (a Polar network without one). */
    bitcoin: bitcoinDescSchema.optional(),
    channels: z.array(channelDescSchema).default([]),
    /** Native networks: the directory holding pids and logs (`network:down` reads it). */
    stateDir: z.string().optional(),
  })
  .superRefine((net, ctx) => {
    const names = new Set<string>();
    for (const [i, n] of net.nodes.entries()) {
      if (names.has(n.name))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'name'],
          message: `duplicate node name ${n.name}`,
        });
      names.add(n.name);
    }
    for (const [i, c] of net.channels.entries()) {
      for (const end of ['from', 'to'] as const) {
        if (!names.has(c[end])) {
          ctx.addIssue({ code: 'custom', path: ['channels', i, end], message: `no node named ${c[end]}` });
        }
      }
    }
  });
export type NetworkDesc = z.infer<typeof networkDescSchema>;

/** Why network.json cannot be used (missing, unreadable or invalid); the message names the file and the bad field. */
export type NetworkFileErrorCode = 'not_found' | 'invalid_json' | 'invalid';

/** Validates a parsed description; `where` names its source in errors. */
export function parseNetwork(value: unknown, where = 'network description'): NetworkDesc {
  const r = networkDescSchema.safeParse(value, { error: plainErrorMap });
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${describeIssue(i, 'the top level')}`);
  throw new LabError('invalid', `${where} is not a valid network description:\n${lines.join('\n')}`, {
    cause: r.error,
  });
}

/**
 * Reads and validates network.json. Relative file paths inside it are
 * resolved against the file's own directory, so a description can travel
 * with its certificates (docker's ./.regtest/).
 */
export async function loadNetwork(path: string): Promise<NetworkDesc> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LabError(
      'not_found',
      `cannot read ${path}: bring a network up with \`npm run network:up\` or attach one with \`npm run network:attach -- --polar <dir>\``,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LabError('invalid_json', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const net = parseNetwork(json, path);
  const base = dirname(resolve(path));
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  return {
    ...net,
    nodes: net.nodes.map((n) => ({
      ...n,
      tlsCertPath: abs(n.tlsCertPath),
      macaroonPath: abs(n.macaroonPath),
    })),
    ...(net.bitcoin
      ? {
          bitcoin: {
            ...net.bitcoin,
            ...(net.bitcoin.rpcCertPath ? { rpcCertPath: abs(net.bitcoin.rpcCertPath) } : {}),
          },
        }
      : {}),
    ...(net.stateDir ? { stateDir: abs(net.stateDir) } : {}),
  };
}

/** Writes network.json atomically (write then rename), after validating it. */
export async function saveNetwork(path: string, net: NetworkDesc): Promise<void> {
  parseNetwork(net, 'network to save');
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(net, null, 2) + '\n');
  await rename(tmp, path);
}

/** The node called `name`, or an error listing the names there are. */
export function nodeByName(net: NetworkDesc, name: string): NodeDesc {
  const n = net.nodes.find((x) => x.name === name);
  if (!n)
    throw new LabError(
      'invalid',
      `no node named ${name}; the network has ${net.nodes.map((x) => x.name).join(', ')}`,
    );
  return n;
}

/** Every node with this role, in file order. */
export function nodesByRole(net: NetworkDesc, role: NodeRole): NodeDesc[] {
  return net.nodes.filter((n) => n.role === role);
}
