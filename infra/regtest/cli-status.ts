/**
 * `network:status`: every node of network.json with its balances (or DOWN
 * and why), the daemons the state folder names, and exit 1 when a node does
 * not answer, so scripts can wait on it.
 */
import { join, resolve } from 'node:path';
import type { LndNode } from '../lightning/lnd/index.js';
import { msatToSat } from '../money.js';
import type { Clock } from '../time/clock.js';
import { stateDirFrom, type CommandValues } from './cli-args.js';
import type { CliContext } from './cli-commands.js';
import { closeAll, connectNetwork } from './connect.js';
import { loadNetwork, type NetworkDesc } from './network-file.js';
import { processStatus } from './state.js';

/** One node's line after its name and role: balances, or `DOWN (why)`. */
async function balanceLine(node: LndNode): Promise<{ up: boolean; text: string }> {
  try {
    const x = await node.balances();
    const text = `${x.channels} channels, local ${msatToSat(x.localMsat)} sat, on-chain ${x.onchainSat} sat`;
    return { up: true, text };
  } catch (err) {
    return { up: false, text: `DOWN (${(err as Error).message.split('\n')[0]})` };
  }
}

/** Prints every node's line (asked all at once); returns how many are down. */
async function printNodes(net: NetworkDesc, clock: Clock): Promise<number> {
  const nodes = await connectNetwork(net, { clock, retry: { maxWaitMs: 2_000 } });
  try {
    const lines = await Promise.all(net.nodes.map((d) => balanceLine(nodes.get(d.name)!)));
    net.nodes.forEach((d, i) => console.log(`  ${d.name.padEnd(10)} ${d.role.padEnd(7)} ${lines[i]!.text}`));
    return lines.filter((l) => !l.up).length;
  } finally {
    await closeAll(nodes.values());
  }
}

/** What to do about nodes that are down, by who runs them. */
function downHint(net: NetworkDesc, stateDir: string): string {
  const afresh = 'or start afresh with `npm run network:down` then `npm run network:up`';
  if (net.kind === 'polar') return 'start them in Polar, or attach again with --running-only';
  if (net.kind === 'docker') return `see \`docker compose logs\`, ${afresh}`;
  return `see their logs in ${join(net.stateDir ?? stateDir, 'logs')}, ${afresh}`;
}

export async function status(values: CommandValues<'status'>, { clock }: CliContext): Promise<number> {
  const stateDir = stateDirFrom(values.state);
  const out = resolve(values.out);
  const net = await loadNetwork(out);
  console.log(`${net.kind} network from ${out} (created ${net.createdAt})`);
  const down = await printNodes(net, clock);
  for (const p of await processStatus(stateDir))
    console.log(`  pid ${p.pid} ${p.name}: ${p.running ? 'running' : 'gone'}`);
  if (down === 0) return 0;
  console.error(`error: ${down} of ${net.nodes.length} nodes down; ${downHint(net, stateDir)}`);
  return 1;
}
