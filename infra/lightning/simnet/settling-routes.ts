import type { Msat } from '../../money.js';
import type { ChannelGraph } from './graph.js';

/** One payment attempt settling back along its route: hops from `from` on have settled. */
export interface SettlingRoute {
  readonly edges: readonly number[];
  readonly amounts: readonly Msat[];
  from: number;
}

/**
 * Routes whose payment is settling: the payee has settled the HTLC (the
 * preimage is out) and the hops settle back towards the payer one latency
 * draw apart. A ledger read meanwhile sees the hops settled so far moved and
 * the rest in flight: a forwarding node has paid its next hop and is not yet
 * paid itself, the payee is paid and the payer not yet charged. `readBack`
 * is what each node would hold with those settled hops still in flight,
 * which is how the payer sees the payment until the preimage reaches it (not
 * made yet): a ledger read when a run ends mid-settlement balances with it.
 */
export class SettlingRoutes {
  readonly #live = new Set<SettlingRoute>();

  constructor(private readonly graph: ChannelGraph) {}

  /** The payee settled the attempt along `edges` (locked `amounts`): nothing moved yet. */
  begin(edges: readonly number[], amounts: readonly Msat[]): SettlingRoute {
    const route = { edges, amounts, from: edges.length };
    this.#live.add(route);
    return route;
  }

  /** Hop `i` of `route` has settled (hops settle from the payee's end); hop 0 ends it. */
  settled(route: SettlingRoute, i: number): void {
    route.from = i;
    if (i === 0) this.#live.delete(route);
  }

  /** Msat to add to each node's holdings (by node index) to read every settling route's settled hops as still in flight. */
  readBack(): Map<number, Msat> {
    const back = new Map<number, Msat>();
    const add = (node: number, msat: Msat) => back.set(node, (back.get(node) ?? 0) + msat);
    for (const r of this.#live)
      for (let i = r.from; i < r.edges.length; i++) {
        const e = r.edges[i]!;
        add(this.graph.from(e), r.amounts[i]!);
        add(this.graph.to(e), -r.amounts[i]!);
      }
    return back;
  }
}
