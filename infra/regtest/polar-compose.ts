import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { publishedPort } from './compose-layout.js';
import type { PolarKind, PolarNode } from './polar-node.js';

/**
 * Where each kind of node Polar runs keeps its data inside the container
 * (Polar's nodeTemplates). The mount, not the image name, says what a
 * service is, so custom images are recognised too.
 */
const MOUNTS: Array<{ kind: PolarKind; target: string }> = [
  { kind: 'LND', target: '/home/lnd/.lnd' },
  { kind: 'litd', target: '/home/litd/.lnd' },
  { kind: 'c-lightning', target: '/home/clightning/.lightning' },
  { kind: 'eclair', target: '/home/eclair/.eclair' },
  { kind: 'bitcoind', target: '/home/bitcoin/.bitcoin' },
];

interface ComposeService {
  image?: string;
  ports?: Array<string | number>;
  volumes?: unknown[];
}

/**
 * Reads the nodes of a Polar network from its docker-compose.yml alone (a
 * folder no networks.json describes): kind from the data mount, ports from
 * the published ones, LND files under the mounted folder. Status is unknown.
 */
export function readPolarCompose(yamlText: string, dir: string): PolarNode[] {
  const doc = parseYaml(yamlText) as { services?: Record<string, ComposeService> } | null;
  const services = Object.entries(doc?.services ?? {});
  if (services.length === 0) throw new Error('compose file has no services');
  return services.map(([name, svc]): PolarNode => {
    const volumes = (svc.volumes ?? []).map(String);
    let kind: PolarKind = 'other';
    let hostDir: string | undefined;
    for (const m of MOUNTS) {
      const v = volumes.find((x) => x.endsWith(`:${m.target}`));
      if (v) {
        kind = m.kind;
        hostDir = resolve(dir, v.slice(0, v.length - m.target.length - 1));
        break;
      }
    }
    const lndLike = kind === 'LND' || kind === 'litd';
    return {
      name,
      kind,
      image: svc.image ?? '',
      restPort: publishedPort(svc.ports, 8080),
      grpcPort: publishedPort(svc.ports, kind === 'c-lightning' ? 11001 : 10009),
      p2pPort: publishedPort(svc.ports, kind === 'bitcoind' ? 18444 : 9735),
      rpcPort: kind === 'bitcoind' ? publishedPort(svc.ports, 18443) : undefined,
      ...(lndLike && hostDir
        ? {
            tlsCertPath: join(hostDir, 'tls.cert'),
            macaroonPath: join(hostDir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon'),
          }
        : {}),
    };
  });
}
