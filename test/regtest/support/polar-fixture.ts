/**
 * Polar data folders written in Polar's own formats, for attach tests: the
 * `networks/networks.json` Polar's `saveNetworks` writes (nodes shaped as its
 * `create*NetworkNode` makes them: id, networkId, type, implementation,
 * version, numeric status, backendName, paths, ports, docker {image,
 * command}) and each network's `docker-compose.yml` as its `ComposeFile`
 * dumps it (v3.1+: `name` and `services`; before v3.1 also `version: '3.3'`).
 * LND and litd files are copied from real nodes so the nodes answer.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

/** Polar's Status enum: Starting, Started, Stopping, Stopped, Error. */
export const STARTED = 1;
export const STOPPED = 3;

export interface FixtureNode {
  name: string;
  implementation: 'LND' | 'litd' | 'c-lightning' | 'bitcoind';
  version: string;
  status?: number;
  /** Host ports: rest/grpc/p2p for Lightning nodes, rpc/p2p/zmqBlock/zmqTx for bitcoind. */
  ports: Record<string, number>;
  /** A custom image (Polar: `docker.image`), '' for Polar's managed image. */
  image?: string;
  /** The real node whose tls.cert and admin.macaroon the node's folder gets. */
  from?: { tlsCertPath: string; macaroonPath: string };
}

export interface FixtureNetwork {
  id: number;
  name: string;
  status?: number;
  nodes: FixtureNode[];
}

const IMAGE: Record<FixtureNode['implementation'], string> = {
  LND: 'polarlightning/lnd',
  litd: 'polarlightning/litd',
  'c-lightning': 'polarlightning/clightning',
  bitcoind: 'polarlightning/bitcoind',
};

/** Writes `<home>/networks/networks.json` and every network's folder; returns each folder by id. */
export async function writePolarHome(
  home: string,
  polarVersion: '4.0.0' | '3.0.0',
  networks: FixtureNetwork[],
): Promise<Record<number, string>> {
  const dirs: Record<number, string> = {};
  const saved = [];
  const charts: Record<number, unknown> = {};
  for (const net of networks) {
    const dir = join(home, 'networks', String(net.id));
    dirs[net.id] = dir;
    const backend = net.nodes.find((n) => n.implementation === 'bitcoind')?.name ?? 'backend1';
    const nodes = net.nodes.map((n, i) => polarNode(net, dir, n, i, backend));
    saved.push({
      id: net.id,
      name: net.name,
      description: '',
      status: net.status ?? STARTED,
      path: dir,
      autoMineMode: 0,
      nodes: {
        bitcoin: nodes.filter((n) => n.type === 'bitcoin'),
        lightning: nodes.filter((n) => n.type === 'lightning'),
        tap: [],
      },
      manualMineCount: 6,
    });
    charts[net.id] = { offset: { x: 0, y: 0 }, scale: 1, nodes: {}, links: {}, selected: {}, hovered: {} };
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'docker-compose.yml'), composeFile(net, polarVersion, backend));
    for (const n of net.nodes) await copyFiles(dir, n);
  }
  await writeFile(
    join(home, 'networks', 'networks.json'),
    JSON.stringify({ version: polarVersion, networks: saved, charts }, null, 2),
  );
  return dirs;
}

function polarNode(net: FixtureNetwork, dir: string, n: FixtureNode, i: number, backend: string) {
  const common = {
    id: i,
    networkId: net.id,
    name: n.name,
    version: n.version,
    status: n.status ?? net.status ?? STARTED,
    docker: { image: n.image ?? '', command: '' },
  };
  if (n.implementation === 'bitcoind')
    return { ...common, type: 'bitcoin', implementation: 'bitcoind', peers: [], ports: n.ports };
  return {
    ...common,
    type: 'lightning',
    implementation: n.implementation,
    backendName: backend,
    ...(n.implementation === 'litd' ? { lndName: n.name } : {}),
    paths: pathsOf(dir, n),
    ports: n.ports,
  };
}

/** Polar's getLndFilePaths / getLitdFilePaths / getCLightningFilePaths. */
function pathsOf(dir: string, n: FixtureNode): Record<string, string> {
  if (n.implementation === 'c-lightning') {
    const base = join(dir, 'volumes', 'c-lightning', n.name, 'lightningd');
    return {
      macaroon: join(dir, 'volumes', 'c-lightning', n.name, 'rest-api', 'access.macaroon'),
      rune: join(base, 'admin.rune'),
      tlsCert: join(base, 'regtest', 'ca.pem'),
      tlsClientCert: join(base, 'regtest', 'client.pem'),
      tlsClientKey: join(base, 'regtest', 'client-key.pem'),
    };
  }
  const base = lndDir(dir, n);
  const mac = (m: string) => join(base, 'data', 'chain', 'bitcoin', 'regtest', `${m}.macaroon`);
  const lnd = {
    tlsCert: join(base, 'tls.cert'),
    adminMacaroon: mac('admin'),
    invoiceMacaroon: mac('invoice'),
    readonlyMacaroon: mac('readonly'),
  };
  if (n.implementation === 'LND') return lnd;
  const lit = join(dir, 'volumes', 'litd', n.name);
  return {
    ...lnd,
    litTlsCert: join(lit, 'lit', 'tls.cert'),
    litMacaroon: join(lit, 'lit', 'regtest', 'lit.macaroon'),
    tapMacaroon: join(lit, 'tapd', 'data', 'regtest', 'admin.macaroon'),
  };
}

function lndDir(dir: string, n: FixtureNode): string {
  return n.implementation === 'litd'
    ? join(dir, 'volumes', 'litd', n.name, 'lnd')
    : join(dir, 'volumes', 'lnd', n.name);
}

async function copyFiles(dir: string, n: FixtureNode): Promise<void> {
  if (!n.from || (n.implementation !== 'LND' && n.implementation !== 'litd')) return;
  const paths = pathsOf(dir, n);
  await mkdir(dirname(paths.adminMacaroon!), { recursive: true });
  await copyFile(n.from.tlsCertPath, paths.tlsCert!);
  await copyFile(n.from.macaroonPath, paths.adminMacaroon!);
  // lnd writes invoice.macaroon beside admin.macaroon (Aperture uses it).
  await copyFile(n.from.macaroonPath, paths.invoiceMacaroon!);
}

/** The compose file Polar's ComposeFile + nodeTemplates write for these nodes. */
function composeFile(net: FixtureNetwork, polarVersion: string, backend: string): string {
  const services: Record<string, unknown> = {};
  for (const n of net.nodes) {
    const container = `polar-n${net.id}-${n.name}`;
    const image = n.image || `${IMAGE[n.implementation]}:${n.version}`;
    const p = n.ports;
    const svc = {
      environment: { USERID: '${USERID:-1000}', GROUPID: '${GROUPID:-1000}' },
      stop_grace_period: n.implementation === 'bitcoind' ? '5m' : '30s',
      image,
      container_name: container,
      hostname: n.name,
      command: commandOf(n, container, `polar-n${net.id}-${backend}`),
    };
    const tails: Record<FixtureNode['implementation'], Record<string, unknown>> = {
      bitcoind: {
        volumes: [`./volumes/bitcoind/${n.name}:/home/bitcoin/.bitcoin`],
        expose: ['18443', '18444', '28334', '28335'],
        ports: [`${p.rpc}:18443`, `${p.p2p}:18444`, `${p.zmqBlock}:28334`, `${p.zmqTx}:28335`],
      },
      LND: {
        restart: 'always',
        volumes: [`./volumes/lnd/${n.name}:/home/lnd/.lnd`],
        expose: ['8080', '10009', '9735'],
        ports: [`${p.rest}:8080`, `${p.grpc}:10009`, `${p.p2p}:9735`],
      },
      litd: {
        restart: 'always',
        volumes: ['lit', 'lnd', 'tapd'].map((d) => `./volumes/litd/${n.name}/${d}:/home/litd/.${d}`),
        expose: ['8080', '10009', '9735', '8443'],
        ports: [`${p.rest}:8080`, `${p.grpc}:10009`, `${p.p2p}:9735`, `${p.web}:8443`],
      },
      'c-lightning': {
        restart: 'always',
        volumes: [
          `./volumes/c-lightning/${n.name}/lightningd:/home/clightning/.lightning`,
          `./volumes/c-lightning/${n.name}/rest-api:/opt/c-lightning-rest/certs`,
        ],
        expose: ['8080', '11001', '9735'],
        ports: [`${p.rest}:8080`, `${p.grpc}:11001`, `${p.p2p}:9735`],
      },
    };
    services[n.name] = { ...svc, ...tails[n.implementation] };
  }
  const doc =
    polarVersion === '3.0.0'
      ? { version: '3.3', name: `polar-network-${net.id}`, services }
      : { name: `polar-network-${net.id}`, services };
  return stringify(doc);
}

function commandOf(n: FixtureNode, container: string, backend: string): string {
  switch (n.implementation) {
    case 'bitcoind':
      return 'bitcoind -server=1 -regtest=1 -rpcauth=polaruser:5e5e98c21f5c814568f8b55d83b23c1c$$066b03f92df30b11de8e4b1b1cd5b1b4281aa25205bd57df9be82caf97a05526 -debug=1 -zmqpubrawblock=tcp://0.0.0.0:28334 -zmqpubrawtx=tcp://0.0.0.0:28335 -zmqpubhashblock=tcp://0.0.0.0:28336 -txindex=1 -dnsseed=0 -rpcbind=0.0.0.0 -rpcallowip=0.0.0.0/0 -rpcport=18443 -rest -listen=1 -listenonion=0 -fallbackfee=0.0002 -blockfilterindex=1 -peerblockfilters=1';
    case 'LND':
      return `lnd --noseedbackup --debuglevel=debug --trickledelay=5000 --alias=${n.name} --externalip=${n.name} --tlsextradomain=${n.name} --tlsextradomain=${container} --tlsextradomain=host.docker.internal --listen=0.0.0.0:9735 --rpclisten=0.0.0.0:10009 --restlisten=0.0.0.0:8080 --bitcoin.active --bitcoin.regtest --bitcoin.node=bitcoind --bitcoind.rpchost=${backend} --bitcoind.rpcuser=polaruser --bitcoind.rpcpass=polarpass --bitcoind.zmqpubrawblock=tcp://${backend}:28334 --bitcoind.zmqpubrawtx=tcp://${backend}:28335 --accept-keysend --accept-amp`;
    case 'litd':
      return `litd --httpslisten=0.0.0.0:8443 --enablerest --uipassword=polarpass --network=regtest --lnd-mode=integrated --pool-mode=disable --loop-mode=disable --autopilot.disable --lnd.noseedbackup --lnd.alias=${n.name} --lnd.externalip=${n.name} --lnd.tlsextradomain=${n.name} --lnd.tlsextradomain=${container} --lnd.listen=0.0.0.0:9735 --lnd.rpclisten=0.0.0.0:10009 --lnd.restlisten=0.0.0.0:8080 --lnd.bitcoin.active --lnd.bitcoin.regtest --lnd.bitcoin.node=bitcoind --lnd.bitcoind.rpchost=${backend} --lnd.bitcoind.rpcuser=polaruser --lnd.bitcoind.rpcpass=polarpass --lnd.bitcoind.zmqpubrawblock=tcp://${backend}:28334 --lnd.bitcoind.zmqpubrawtx=tcp://${backend}:28335`;
    case 'c-lightning':
      return `lightningd --alias=${n.name} --addr=${n.name} --addr=${container} --network=regtest --bitcoin-rpcuser=polaruser --bitcoin-rpcpassword=polarpass --bitcoin-rpcconnect=${backend} --bitcoin-rpcport=18443 --log-level=debug --dev-bitcoind-poll=2 --dev-fast-gossip --grpc-port=11001 --log-file=-`;
  }
}
