import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { createRng } from '../../infra/random.js';
import type { Payment } from '../../infra/lightning/node.js';
import { lognormalLatency, scaleFree, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';

/** What a random-load run produced, for determinism and conservation checks. */
export interface LoadResult {
  pubkeys: string[];
  payments: { payer: number; payee: number; hold: 'no' | 'settle' | 'cancel'; payment: Payment }[];
  auditFailures: string[];
  audits: number;
  net: ReturnType<typeof makeNet>['net'];
  nodes: SimNode[];
  endedAt: number;
}

/**
 * A seeded market-like load on a scale-free network: `count` payments from
 * random payers to random payees at random times, a fifth of them to hold
 * invoices that are settled or canceled later, and nodes going offline and
 * back. A watcher audits conservation every 7 ms of virtual time.
 */
export async function randomLoad(seed: number, { nodes: size = 60, count = 400 } = {}): Promise<LoadResult> {
  const { clock, net } = makeNet({ seed, latency: lognormalLatency(40, 0.6) });
  const rng = createRng(`${seed}/load`);
  const { nodes } = scaleFree(net, {
    size,
    m: 2,
    rng: rng.fork('topology'),
    capacityMsat: (r) => (2 + r.int(20)) * 10_000_000,
    baseFeeMsat: 1_000,
    feeRatePpm: 100,
  });
  const auditFailures: string[] = [];
  let audits = 0;
  let running = true;
  const watcher = (async () => {
    while (running) {
      await clock.sleep(7);
      audits++;
      const a = net.audit();
      if (!a.ok) auditFailures.push(`t=${clock.now()}: ${a.violations.join('; ')}`);
    }
  })();
  const chaos = (async () => {
    const r = rng.fork('chaos');
    for (let i = 0; i < 20; i++) {
      await clock.sleep(r.exponential(200));
      const n = nodes[r.int(nodes.length)]!;
      net.setOnline(n, false);
      await clock.sleep(r.exponential(300));
      net.setOnline(n, true);
    }
  })();
  const payments: LoadResult['payments'] = [];
  const tasks = Array.from({ length: count }, async (_, i) => {
    const r = rng.fork(`payment/${i}`);
    await clock.sleep(r.exponential(10) * i);
    const payer = r.int(nodes.length);
    let payee = r.int(nodes.length);
    if (payee === payer) payee = (payee + 1) % nodes.length;
    const amountMsat = 1_000 * (1 + r.int(20_000));
    const kind = r.next();
    const hold = kind < 0.1 ? 'settle' : kind < 0.2 ? 'cancel' : 'no';
    const to = nodes[payee]!;
    let payment: Payment;
    if (hold === 'no') {
      const inv = await to.createInvoice({ amountMsat });
      payment = await nodes[payer]!.pay(inv.paymentRequest, { maxFeeMsat: 1_000_000 });
    } else {
      const preimage = r.bytes(32);
      const paymentHash = hex.encode(sha256(preimage));
      const inv = await to.createHoldInvoice({ amountMsat, paymentHash });
      const off = to.onInvoice((x) => {
        if (x.paymentHash !== paymentHash || x.state !== 'accepted') return;
        off();
        void clock
          .sleep(r.exponential(500))
          .then(() =>
            hold === 'settle' ? to.settleInvoice(hex.encode(preimage)) : to.cancelInvoice(paymentHash),
          );
      });
      payment = await nodes[payer]!.pay(inv.paymentRequest, { maxFeeMsat: 1_000_000 });
    }
    payments.push({ payer, payee, hold, payment });
  });
  const all = Promise.all([...tasks, chaos]).then(() => {
    running = false;
  });
  await clock.runUntilIdle();
  await all;
  await watcher;
  payments.sort((a, b) => a.payment.createdAt - b.payment.createdAt || a.payer - b.payer);
  return {
    pubkeys: nodes.map((n) => n.pubkey),
    payments,
    auditFailures,
    audits,
    net,
    nodes,
    endedAt: clock.now(),
  };
}
