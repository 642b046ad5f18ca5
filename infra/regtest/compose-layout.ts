import { resolve } from 'node:path';

/** One LND service of a compose project, with the host ports it publishes. */
export interface ComposeLnd {
  name: string;
  image: string;
  restPort: number;
  p2pPort: number;
  grpcPort?: number;
  /** Host directory mounted as the node's ~/.lnd. */
  lnddir: string;
}

/** The chain backend service: which one, its published RPC port, and its host data folder. */
export interface ComposeChain {
  name: string;
  backend: 'bitcoind' | 'btcd';
  rpcPort: number;
  dataDir: string;
}

export interface ComposeLayout {
  chain: ComposeChain;
  lnd: ComposeLnd[];
}

/** A `ports` entry: short syntax (`"127.0.0.1:8081:8080"`) or long (`{target, published}`, as `compose config` prints). */
type PortEntry = string | number | { target?: number; published?: string | number };
/** A `volumes` entry: short syntax (`"./data:/home/lnd/.lnd"`) or long (`{source, target}`). */
type VolumeEntry = string | { source?: string; target?: string };

interface Service {
  image?: string;
  ports?: PortEntry[];
  volumes?: VolumeEntry[];
}

/** The host port a service publishes for a container port, in either syntax. */
export function publishedPort(
  ports: readonly PortEntry[] | undefined,
  container: number,
): number | undefined {
  for (const p of ports ?? []) {
    if (typeof p === 'object') {
      if (p.target === container && p.published !== undefined) return Number(p.published);
      continue;
    }
    const parts = String(p)
      .replace(/\/tcp$/, '')
      .split(':');
    if (parts.length >= 2 && Number(parts.at(-1)) === container) return Number(parts.at(-2));
  }
  return undefined;
}

/** The host folder a service mounts at `target`, resolved against `baseDir`, in either syntax. */
export function mountSource(
  volumes: readonly VolumeEntry[] | undefined,
  target: string,
  baseDir: string,
): string | undefined {
  for (const v of volumes ?? []) {
    if (typeof v === 'object') {
      if (v.target === target && v.source) return resolve(baseDir, v.source);
      continue;
    }
    const [source, to] = v.split(':');
    if (to === target && source) return resolve(baseDir, source);
  }
  return undefined;
}

const LND_HOME = '/home/lnd/.lnd';
const CHAIN_HOMES = { bitcoind: '/home/bitcoin/.bitcoin', btcd: '/home/btcd/.btcd' } as const;

/**
 * Reads a compose project (a parsed compose file, or the model `docker
 * compose config --format json` prints): LND services are those mounting a
 * folder at /home/lnd/.lnd, publishing 8080 (REST) and 9735 (p2p), and
 * 10009 (gRPC) when they do; the chain backend is the service mounting
 * bitcoind's or btcd's data folder and publishing 18443 (RPC).
 */
export function readComposeLayout(doc: unknown, baseDir: string): ComposeLayout {
  const services = Object.entries((doc as { services?: Record<string, Service> } | null)?.services ?? {});
  if (services.length === 0) throw new Error('compose file has no services');
  let chain: ComposeChain | undefined;
  const lnd: ComposeLnd[] = [];
  for (const [name, svc] of services) {
    for (const backend of ['bitcoind', 'btcd'] as const) {
      const dataDir = mountSource(svc.volumes, CHAIN_HOMES[backend], baseDir);
      const rpcPort = publishedPort(svc.ports, 18443);
      if (dataDir && !chain) {
        if (!rpcPort) throw new Error(`compose service ${name}: ${backend} must publish its RPC port 18443`);
        chain = { name, backend, rpcPort, dataDir };
      }
    }
    const lnddir = mountSource(svc.volumes, LND_HOME, baseDir);
    if (!lnddir) continue;
    const restPort = publishedPort(svc.ports, 8080);
    const p2pPort = publishedPort(svc.ports, 9735);
    if (!restPort || !p2pPort)
      throw new Error(`compose service ${name}: needs ports for 8080 and 9735 and a volume on ${LND_HOME}`);
    const grpcPort = publishedPort(svc.ports, 10009);
    lnd.push({ name, image: svc.image ?? '', restPort, p2pPort, ...(grpcPort ? { grpcPort } : {}), lnddir });
  }
  if (!chain) throw new Error('compose file has no bitcoind or btcd service publishing port 18443');
  return { chain, lnd };
}
