import type { Engine } from '../engine/engine.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Market } from '../market/market.js';
import type { MarketSeller } from '../market/sellers.js';
import type { World } from '../market/world.js';
import { refuse, unknownName, type Control, type ControlError } from './controls.js';
import { priceRefusal, reprice } from './reprice.js';

/** The parts of a running market a presenter's controls act on. */
export interface Running {
  engine: Engine;
  world: World;
  market: Market;
  recorder: Recorder;
}

/** Why a market control cannot apply: a seller or node the market lacks (named with the ones it has), or a seller that reprices itself. */
export function targetRefusal(c: Control, run: Running): ControlError | undefined {
  if (c.type === 'seller_offline' || c.type === 'price') {
    const seller = run.market.sellers.find((s) => s.name === c.seller);
    const names = () => run.market.sellers.map((s) => s.name);
    if (!seller) return refuse('unknown_seller', unknownName('seller', c.seller, names()));
    if (c.type === 'price') return priceRefusal(seller);
  } else if (c.type === 'node_offline' || c.type === 'drain') {
    const nodes = run.world.ledgerNodes().map((n) => n.name);
    if (!nodes.includes(c.node)) return refuse('unknown_node', unknownName('node', c.node, nodes));
  }
  return undefined;
}

/**
 * Applies a presenter's market control (a node offline or back, a drained
 * channel, a new price) and records it as a fault; a control that would
 * change nothing is refused, so no fault is recorded for it. `nextReprice`
 * numbers the price changes (each rebuilt seller draws from its own stream).
 */
export async function act(
  c: Control,
  run: Running,
  nextReprice: () => number,
): Promise<ControlError | undefined> {
  const now = run.engine.elapsed();
  if (c.type === 'seller_offline' || c.type === 'node_offline') {
    const target = c.type === 'seller_offline' ? c.seller : c.node;
    if (run.world.isOnline(target) === !c.offline)
      return refuse('unchanged', `${target} is already ${c.offline ? 'offline' : 'online'}`);
    run.world.setOnline(target, !c.offline);
    run.recorder.fault(now, c.offline ? 'node_offline' : 'node_online', target, 'presenter');
  } else if (c.type === 'drain') {
    const moved = run.world.drain(c.node, c.fraction);
    for (const [node, msat] of moved)
      run.market.transfers.set(node, (run.market.transfers.get(node) ?? 0) + msat);
    run.recorder.fault(
      now,
      'drain_channel',
      c.node,
      `${-(moved.get(c.node) ?? 0)} msat moved to its peers (presenter)`,
    );
  } else if (c.type === 'price') {
    const s = run.market.sellers.find((x) => x.name === c.seller)!;
    const same = samePrice(s, c.msat);
    if (same) return same;
    settingPrice.set(s, c.msat);
    try {
      await reprice(s, c.msat, run.world, run.market, nextReprice());
    } finally {
      if (settingPrice.get(s) === c.msat) settingPrice.delete(s);
    }
    run.recorder.fault(now, 'price_change', s.name, `price now ${c.msat} msat (presenter)`);
  }
  return undefined;
}

/** The price a presenter's control is setting on a seller right now (its rebuild in progress). */
const settingPrice = new WeakMap<MarketSeller, number>();

/**
 * Refuses a price the seller charges already (its spec fixed at `msat`), or is being set to by a control
 * still in progress: repricing rebuilds the seller with new keys, voiding every token it sold, for nothing.
 */
function samePrice(s: MarketSeller, msat: number): ControlError | undefined {
  const setting = settingPrice.get(s);
  if (setting === msat) return refuse('unchanged', `${s.name}'s price is already being set to ${msat} msat`);
  if (setting === undefined && s.spec.price.kind === 'fixed' && s.spec.price.msat === msat)
    return refuse('unchanged', `${s.name} already charges ${msat} msat`);
  return undefined;
}
