import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';
import { z } from 'zod';
import { nodeRoleSchema } from './network-file.js';
import { LabError } from '../errors.js';
import { describeIssues, plainErrorMap } from '../zod-wording.js';

const sat = z.number().int().positive();

/** The chain daemons' names: state.json records, and logs/ holds a log, under these; no lnd node may take them. */
export const CHAIN_DAEMONS: readonly string[] = ['btcd', 'bitcoind'];

/**
 * The shape of a regtest network to build: nodes, channels (opened by
 * `from`, with `pushSat` handed to `to` so both directions can pay), the fee
 * policy every node charges, and probe payments that must succeed before the
 * network counts as up.
 */
export const topologySchema = z
  .object({
    name: z.string(),
    nodes: z
      .array(
        z.object({
          name: z
            .string()
            .regex(
              /^[a-z][a-z0-9-]*$/,
              'expected lowercase letters, digits and dashes, starting with a letter',
            )
            .refine((name) => !CHAIN_DAEMONS.includes(name), {
              error: (issue) =>
                `${String(issue.input)} is the chain daemon's name (its process record and log); name the node something else`,
            }),
          role: nodeRoleSchema,
        }),
      )
      .min(1),
    channels: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        capacitySat: sat.min(20_000),
        pushSat: z.number().int().nonnegative().default(0),
        private: z.boolean().default(false),
      }),
    ),
    /** Forwarding fees every node charges (lnd --bitcoin.basefee / --bitcoin.feerate, and on open). */
    fees: z.object({ baseMsat: z.number().int().nonnegative(), ratePpm: z.number().int().nonnegative() }),
    probes: z.array(z.object({ from: z.string(), to: z.string(), amountMsat: sat })).default([]),
  })
  .superRefine((t, ctx) => {
    const names = new Set(t.nodes.map((n) => n.name));
    if (names.size !== t.nodes.length)
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'node names must be unique' });
    const check = (list: 'channels' | 'probes', i: number, end: 'from' | 'to', name: string): void => {
      if (!names.has(name))
        ctx.addIssue({ code: 'custom', path: [list, i, end], message: `no node named ${name}` });
    };
    t.channels.forEach((c, i) => {
      check('channels', i, 'from', c.from);
      check('channels', i, 'to', c.to);
      if (c.pushSat >= c.capacitySat) {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'pushSat'],
          message: 'must be below capacitySat',
        });
      }
    });
    t.probes.forEach((p, i) => {
      check('probes', i, 'from', p.from);
      check('probes', i, 'to', p.to);
    });
  });
export type Topology = z.output<typeof topologySchema>;
export type TopologyInput = z.input<typeof topologySchema>;

/**
 * The default market: one hub, two sellers, two buyers. Buyers open to the
 * hub and the hub opens to each seller; a quarter of each channel is pushed
 * across so payments work in both directions. Probes pay each seller from
 * each buyer over two hops.
 */
export const defaultTopology: Topology = topologySchema.parse({
  name: 'default',
  nodes: [
    { name: 'hub', role: 'hub' },
    { name: 'seller-1', role: 'seller' },
    { name: 'seller-2', role: 'seller' },
    { name: 'buyer-1', role: 'buyer' },
    { name: 'buyer-2', role: 'buyer' },
  ],
  channels: [
    { from: 'buyer-1', to: 'hub', capacitySat: 2_000_000, pushSat: 500_000 },
    { from: 'buyer-2', to: 'hub', capacitySat: 2_000_000, pushSat: 500_000 },
    { from: 'hub', to: 'seller-1', capacitySat: 2_000_000, pushSat: 500_000 },
    { from: 'hub', to: 'seller-2', capacitySat: 2_000_000, pushSat: 500_000 },
  ],
  // LND's own defaults (and the simnet's): with `defaultMaxFeeMsat` (1%, at least 1 sat) even a 1-sat payment fits.
  fees: { baseMsat: 1000, ratePpm: 1 },
  probes: [
    { from: 'buyer-1', to: 'seller-1', amountMsat: 1_000_000 },
    { from: 'buyer-1', to: 'seller-2', amountMsat: 1_000_000 },
    { from: 'buyer-2', to: 'seller-1', amountMsat: 1_000_000 },
    { from: 'buyer-2', to: 'seller-2', amountMsat: 1_000_000 },
  ],
} satisfies TopologyInput);

const BUILT_IN: Record<string, Topology> = { default: defaultTopology };

/** A topology from parsed JSON; `where` (a file) prefixes the error naming the bad field. */
export function parseTopology(json: unknown, where?: string): Topology {
  const r = topologySchema.safeParse(json, { error: plainErrorMap });
  if (r.success) return r.data;
  // The first problem: a bad node also fails every channel and probe naming it.
  const problems = describeIssues(r.error.issues, { whole: 'the top level', shown: 1 });
  throw new LabError('invalid_topology', `${where ? `${where}: ` : ''}invalid topology at ${problems}`);
}

function unknownTopology(name: string): LabError {
  return new LabError(
    'invalid_topology',
    `unknown topology ${JSON.stringify(name)}; built in: ${Object.keys(BUILT_IN).join(', ')}, or give a .json file`,
  );
}

/** A built-in topology by name, or a parsed one from JSON text. */
export function resolveTopology(nameOrJson: string): Topology {
  const builtIn = BUILT_IN[nameOrJson];
  if (builtIn) return builtIn;
  let json: unknown;
  try {
    json = JSON.parse(nameOrJson);
  } catch {
    throw unknownTopology(nameOrJson);
  }
  return parseTopology(json);
}

/** True when `--topology` names a file (`….json`, or a path with a folder in it) rather than a built-in. */
export function isTopologyFile(nameOrPath: string): boolean {
  return nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(sep);
}

async function readTopologyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ENOENT') throw new LabError('not_found', `no topology file ${path}`, { cause });
    throw new LabError('not_found', `cannot read topology file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * What `--topology` names: a built-in by name, or a JSON file. Errors name
 * the file (missing, not JSON, the bad field) or the unknown name.
 */
export async function loadTopology(nameOrPath: string): Promise<Topology> {
  if (!isTopologyFile(nameOrPath)) {
    const builtIn = BUILT_IN[nameOrPath];
    if (!builtIn) throw unknownTopology(nameOrPath);
    return builtIn;
  }
  const text = await readTopologyFile(nameOrPath);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LabError('invalid_topology', `${nameOrPath} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseTopology(json, nameOrPath);
}
