import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { readPolarCompose } from './polar-compose.js';
import { POLAR_STATUS, type PolarKind, type PolarNode, type PolarStatus } from './polar-node.js';
import { LabError } from '../errors.js';
import { describeIssues, plainErrorMap } from '../zod-wording.js';

/**
 * Polar's own record of its networks (`<home>/networks/networks.json`, written
 * by Polar's `saveNetworks`): per network its id, name, folder, status and
 * nodes, each node with its implementation, version, status, ports, file
 * paths and custom image. Only the fields attach uses are read; the rest
 * (charts, simulation, tap nodes) is ignored.
 */

const statusSchema = z
  .number()
  .int()
  .optional()
  .transform((n): PolarStatus | undefined => (n === undefined ? undefined : POLAR_STATUS[n]));

const portsSchema = z.record(z.string(), z.number().int().nullable().optional()).default({});
const dockerSchema = z
  .object({ image: z.string().default('') })
  .partial()
  .optional();

const nodeSchema = z.object({
  name: z.string(),
  implementation: z.string(),
  version: z.string().default(''),
  status: statusSchema,
  backendName: z.string().optional(),
  ports: portsSchema,
  paths: z.record(z.string(), z.string()).optional(),
  docker: dockerSchema,
});

const networkSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  status: statusSchema,
  path: z.string(),
  nodes: z.object({
    bitcoin: z.array(nodeSchema).default([]),
    lightning: z.array(nodeSchema).default([]),
  }),
});

const networksFileSchema = z.object({
  version: z.string().optional(),
  networks: z.array(networkSchema),
});

/** Polar's managed image repository per implementation (dockerConfigs[…].imageName). */
const POLAR_IMAGES: Record<string, string> = { LND: 'lnd', 'c-lightning': 'clightning' };

export interface PolarNetwork {
  id?: number;
  name: string;
  dir: string;
  status?: PolarStatus;
  /** Where the layout came from: Polar's networks.json, or only the folder's compose file. */
  source: 'networks.json' | 'docker-compose.yml';
  polarVersion?: string;
  nodes: PolarNode[];
  /** Things the user should know (the network was found in two homes, …). */
  notes: string[];
}

/** Polar's data folders in the order Polar itself prefers them (XDG first). */
export function polarHomes(home = homedir()): string[] {
  return [join(home, '.local', 'share', 'polar'), join(home, '.polar')];
}

const isDir = (p: string): Promise<boolean> =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

interface FoundFile {
  home: string;
  version?: string;
  networks: z.infer<typeof networkSchema>[];
}

async function readNetworksFile(home: string): Promise<FoundFile | undefined> {
  const path = join(home, 'networks', 'networks.json');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LabError('polar_attach_failed', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const r = networksFileSchema.safeParse(json, { error: plainErrorMap });
  if (!r.success) {
    const problems = describeIssues(r.error.issues, { whole: 'the top level' });
    throw new LabError('polar_attach_failed', `${path} is not a Polar networks file: ${problems}`);
  }
  return { home, version: r.data.version, networks: r.data.networks };
}

/**
 * Finds a Polar network by id, name or folder. `homes` are searched in
 * order (default: `~/.local/share/polar`, then `~/.polar`); a folder that no
 * networks.json describes is read from its docker-compose.yml alone.
 */
export async function findPolarNetwork(ref: string, homes = polarHomes()): Promise<PolarNetwork> {
  const files: FoundFile[] = [];
  for (const home of homes) {
    const f = await readNetworksFile(home);
    if (f) files.push(f);
  }
  const asPath = resolve(ref);
  const folderOf = (file: FoundFile, net: z.infer<typeof networkSchema>): string =>
    join(file.home, 'networks', String(net.id));
  const collect = (match: (file: FoundFile, net: z.infer<typeof networkSchema>) => boolean) =>
    files.flatMap((file) => file.networks.filter((net) => match(file, net)).map((net) => ({ file, net })));
  let hits = ref.includes('/') ? [] : collect((_f, net) => String(net.id) === ref || net.name === ref);
  if (hits.length === 0 && (await isDir(asPath))) {
    hits = collect((file, net) => resolve(net.path) === asPath || folderOf(file, net) === asPath);
    if (hits.length === 0) return fromCompose(asPath);
  }
  if (hits.length === 0) {
    const known = files.flatMap((f) => f.networks.map((n) => `${n.id} "${n.name}" (${f.home})`));
    throw new LabError(
      'polar_attach_failed',
      files.length === 0
        ? `no Polar networks.json in ${homes.join(' or ')}: pass the network folder, or --polar-home <Polar data folder>`
        : `no Polar network with id or name "${ref}"; there are: ${known.join(', ') || 'none'}`,
    );
  }
  const inFirst = hits.filter((h) => h.file === hits[0]!.file);
  if (inFirst.length > 1) {
    throw new LabError(
      'polar_attach_failed',
      `${inFirst.length} Polar networks are named "${ref}" (ids ${inFirst.map((h) => h.net.id).join(', ')}): pass the id`,
    );
  }
  const { file, net } = hits[0]!;
  const notes = hits
    .slice(1)
    .filter((h) => h.file !== file)
    .map(
      (h) =>
        `"${ref}" also names network ${h.net.id} in ${h.file.home}; using ${file.home} (the folder Polar uses)`,
    );
  return fromNetworksJson(file, net, notes);
}

function fromNetworksJson(
  file: FoundFile,
  net: z.infer<typeof networkSchema>,
  notes: string[],
): PolarNetwork {
  const dir = join(file.home, 'networks', String(net.id));
  // Paths are absolute where Polar ran; a copied or moved home keeps them relative to the network folder.
  const rebase = (p: string | undefined): string | undefined => {
    if (!p) return undefined;
    const rel = relative(net.path, p);
    return !rel.startsWith('..') && !isAbsolute(rel) ? join(dir, rel) : p;
  };
  const port = (n: z.infer<typeof nodeSchema>, key: string): number | undefined =>
    n.ports[key] ? (n.ports[key] ?? undefined) : undefined;
  const nodes: PolarNode[] = [...net.nodes.bitcoin, ...net.nodes.lightning].map((n) => {
    const kind = (
      ['LND', 'litd', 'c-lightning', 'eclair', 'bitcoind', 'btcd'].includes(n.implementation)
        ? n.implementation
        : 'other'
    ) as PolarKind;
    return {
      name: n.name,
      kind,
      image:
        n.docker?.image ||
        `polarlightning/${POLAR_IMAGES[n.implementation] ?? n.implementation}:${n.version}`,
      status: n.status,
      restPort: port(n, 'rest'),
      grpcPort: port(n, 'grpc'),
      p2pPort: port(n, 'p2p'),
      rpcPort: port(n, 'rpc'),
      tlsCertPath: rebase(n.paths?.tlsCert),
      macaroonPath: rebase(n.paths?.adminMacaroon),
      backendName: n.backendName,
    };
  });
  return {
    id: net.id,
    name: net.name,
    dir,
    status: net.status,
    source: 'networks.json',
    polarVersion: file.version,
    nodes,
    notes,
  };
}

async function fromCompose(dir: string): Promise<PolarNetwork> {
  const path = join(dir, 'docker-compose.yml');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new LabError(
      'polar_attach_failed',
      `no docker-compose.yml in ${dir}: pass a Polar network folder (<Polar data folder>/networks/<id>), its id or its name`,
    );
  }
  const id = /^\d+$/.test(basename(dir)) ? Number(basename(dir)) : undefined;
  try {
    const nodes = readPolarCompose(text, dir);
    return {
      ...(id === undefined ? {} : { id }),
      name: basename(dir),
      dir,
      source: 'docker-compose.yml',
      nodes,
      notes: [
        `no Polar networks.json describes ${dir}: node kinds and ports read from its docker-compose.yml`,
      ],
    };
  } catch (cause) {
    throw new LabError('polar_attach_failed', `${path}: ${(cause as Error).message}`, { cause });
  }
}
