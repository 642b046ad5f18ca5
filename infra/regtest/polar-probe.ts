import type { Clock } from '../time/clock.js';
import { LndError } from '../lightning/lnd/errors.js';
import { LndNode } from '../lightning/lnd/index.js';
import type { PolarNode } from './polar-node.js';
import { LabError } from '../errors.js';

/** What asking a Polar node for its key found: its pubkey, or why not and whether it is simply stopped. */
export type Probe = { ok: true; pubkey: string } | { ok: false; stopped: boolean; why: string };

/**
 * Probes every node and refuses, naming the nodes, when one answers wrongly
 * (another network on its port, a bad macaroon), when none answers, or when
 * some are stopped and `runningOnly` is not set. Returns each node's probe,
 * in order, and the stopped nodes.
 */
export async function probeNodes(
  usable: PolarNode[],
  opts: { clock: Clock; probeMs?: number; runningOnly?: boolean },
  label: string,
  recordedStopped: boolean,
): Promise<{ probes: Probe[]; stopped: PolarNode[] }> {
  const probes = await Promise.all(usable.map((n) => probe(n, opts)));
  const broken = usable.flatMap((n, i) => {
    const p = probes[i]!;
    return !p.ok && !p.stopped ? [`${n.name}: ${p.why}`] : [];
  });
  if (broken.length) throw new LabError('polar_attach_failed', `${label}: ${broken.join('; ')}`);
  const stopped = usable.filter((_, i) => !probes[i]!.ok);
  if (stopped.length === usable.length) {
    throw new LabError(
      'polar_attach_failed',
      `${label} is stopped${recordedStopped ? ' (Polar records it as stopped)' : ''}: ` +
        `no LND node answers (${stopped.map((n) => `${n.name} at 127.0.0.1:${n.restPort}`).join(', ')}); start it in Polar, then attach again`,
    );
  }
  if (stopped.length && !opts.runningOnly) {
    throw new LabError(
      'polar_attach_failed',
      `${label}: ${stopped.map((n) => n.name).join(', ')} ${stopped.length > 1 ? 'are' : 'is'} stopped ` +
        `(nothing answers at ${stopped.map((n) => `127.0.0.1:${n.restPort}`).join(', ')}); start ${stopped.length > 1 ? 'them' : 'it'} in Polar, ` +
        `or attach only the running nodes with --running-only`,
    );
  }
  return { probes, stopped };
}

/** Asks a node for its pubkey; a node that does not answer at all is `stopped`. */
async function probe(n: PolarNode, opts: { clock: Clock; probeMs?: number }): Promise<Probe> {
  const files = {
    restUrl: `https://127.0.0.1:${n.restPort}`,
    tlsCertPath: n.tlsCertPath!,
    macaroonPath: n.macaroonPath!,
  };
  let node: LndNode | undefined;
  try {
    node = await LndNode.fromFiles(files, { clock: opts.clock, retry: { maxWaitMs: opts.probeMs ?? 3_000 } });
    return { ok: true, pubkey: (await node.info()).pubkey };
  } catch (err) {
    const code = err instanceof LndError ? err.code : undefined;
    if (code === 'unreachable' || code === 'not_ready')
      return { ok: false, stopped: true, why: (err as Error).message };
    if (code === 'bad_config' && n.status === 'stopped')
      return { ok: false, stopped: true, why: (err as Error).message };
    const hint =
      code === 'tls' || code === 'unauthorized'
        ? ` (port ${n.restPort} answers as another node: is another Polar network running on the same ports?)`
        : '';
    return { ok: false, stopped: false, why: `${(err as Error).message}${hint}` };
  } finally {
    await node?.close();
  }
}
