import type { Msat } from '../../money.js';
import { plural } from '../../count-words.js';
import { defaultMaxFeeMsat, type Payment, type PaymentFailureReason, type PayOptions } from '../node.js';
import { sendAlongRoute } from './htlc.js';
import { MissionControl } from './mission-control.js';
import { PaymentRecords } from './payment-records.js';
import { payInParts } from './multipart.js';
import { answerBy } from './pay-deadline.js';
import { amountToPay } from '../pay-options.js';
import { checkPayOptions, resolveForeign } from './pay-request.js';
import { whyNoRoute } from './no-route.js';
import type { IssuedInvoice, PaymentDeps } from './payment-deps.js';
import { describeHopFailure, failedPayment } from './outcomes.js';
import { RouteCache } from './route-cache.js';
import type { Route } from './router.js';

/**
 * A payer's side of a payment, as LND's router does it: resolve and check
 * the invoice, refuse what cannot work (self-payment, expired, already
 * paid, not enough local balance), then find a route, send, learn from the
 * failure, and try again, until it succeeds, the payee refuses, no route
 * is left within the fee limit, attempts run out, or the timeout passes.
 * `pay` answers by its `timeoutMs` (pay-deadline.ts; by default
 * `DEFAULT_PAY_TIMEOUT_MS`, as LND's adapter): a payment with an
 * attempt still out then is answered `in_flight` and goes on. A second `pay`
 * of a hash whose payment is under way starts nothing: it answers as the
 * first does, by its own `timeoutMs` (LND's adapter follows the payment LND
 * says is "in transition"). A hash this payer paid is refused `already_paid`,
 * its record live or archived (`SettledArchive`).
 */
export class PaymentEngine {
  readonly #mc = new Map<number, MissionControl>();
  readonly #records = new PaymentRecords();
  readonly cache = new RouteCache();

  constructor(private readonly deps: PaymentDeps) {}

  /** The payer's mission control (created on first use). */
  missionControl(payer: number): MissionControl {
    let mc = this.#mc.get(payer);
    if (!mc) {
      mc = new MissionControl(this.deps.missionControl);
      this.#mc.set(payer, mc);
    }
    return mc;
  }

  /**
   * Drops the records of payments that ended and whose invoices expired by
   * `now` (`PaymentRecords.forget`): a succeeded one stays with
   * `keepSucceeded`, else goes to `kept`. Returns how many.
   */
  forget(now: number, keepSucceeded: boolean, kept?: (payer: number, p: Payment) => void): number {
    return this.#records.forget(now, keepSucceeded, kept);
  }

  /** Payment records held, over every payer. */
  get held(): number {
    return this.#records.held;
  }

  /** The payer's record of a payment, copied. */
  lookup(payer: number, paymentHash: string): Payment | undefined {
    const r = this.#records.get(payer, paymentHash);
    return r && { ...r.payment };
  }

  async pay(payer: number, bolt11: string, options?: PayOptions | null): Promise<Payment> {
    const d = this.deps;
    const createdAt = d.clock.now();
    const opts = checkPayOptions(options);

    let inv = d.issued.get(bolt11);
    if (!inv) {
      const resolved = resolveForeign(d, bolt11);
      if ('reason' in resolved)
        return failedPayment(
          { paymentHash: '', amountMsat: 0, createdAt },
          resolved.reason,
          resolved.message,
          createdAt,
        );
      inv = resolved;
    }
    const amountMsat = amountToPay(inv.amountMsat, opts);
    if (typeof amountMsat === 'string')
      return failedPayment(
        { paymentHash: inv.paymentHash, amountMsat: 0, createdAt },
        'invalid_invoice',
        amountMsat,
        createdAt,
      );
    const base = { paymentHash: inv.paymentHash, amountMsat, createdAt };
    const refuse = (reason: PaymentFailureReason, message: string) =>
      failedPayment(base, reason, message, d.clock.now());

    const previous = this.#records.get(payer, inv.paymentHash);
    if (previous?.payment.status === 'succeeded' || d.archive.payment(payer, inv.paymentHash))
      return refuse('already_paid', 'this node already paid this invoice');
    // As LND's adapter follows a payment "in transition": this call answers as the one under way.
    if (previous?.payment.status === 'in_flight' && previous.run)
      return this.#answer(previous.run, previous.payment, opts.timeoutMs, createdAt);
    if (inv.payee === payer) return refuse('self_payment', 'the payee is this node');
    if (!d.online[payer]) return refuse('error', 'this node is offline');
    if (createdAt >= inv.expiresAtMs)
      return refuse('invoice_expired', `invoice expired at ${new Date(inv.expiresAtMs).toISOString()}`);
    const local = this.deps.graph.localSpendable(payer);
    if (local < amountMsat)
      return refuse(
        'insufficient_balance',
        `local spendable ${local} msat is below the amount ${amountMsat} msat`,
      );

    const maxFeeMsat = opts.maxFeeMsat ?? defaultMaxFeeMsat(amountMsat);
    const payment: Payment = { ...base, status: 'in_flight', feeMsat: 0, hops: 0, attempts: 0 };
    const record = this.#records.add(payer, payment, inv.expiresAtMs);
    const finish = (reason: PaymentFailureReason, message: string): Payment => {
      Object.assign(payment, { status: 'failed', failure: { reason, message }, resolvedAt: d.clock.now() });
      return { ...payment };
    };

    const mc = this.missionControl(payer);
    const run =
      d.multipart && d.multipart.maxParts > 1
        ? payInParts({
            deps: d,
            payer,
            collector: d.collector,
            options: d.multipart,
            payment,
            inv,
            maxFeeMsat,
            timeoutMs: opts.timeoutMs,
            mc,
            route: (amount, maxFee) => this.#route(payer, inv, amount, maxFee, mc),
            noRoute: (amount, maxFee, last) => this.#noRoute(payer, inv, amount, maxFee, mc, last),
            finish,
          })
        : this.#payInOnePart(payer, inv, payment, maxFeeMsat, mc, opts.timeoutMs, finish);
    this.#records.running(record, run);
    return this.#answer(run, payment, opts.timeoutMs, createdAt);
  }

  /** `run`'s outcome by `from + timeoutMs`: past it a payment with an attempt still out is answered in flight, and goes on. */
  #answer(run: Promise<Payment>, payment: Payment, timeoutMs: number, from: number) {
    return answerBy(this.deps.clock, run, payment, timeoutMs, from);
  }

  /**
   * The whole amount along one route per attempt: route, send, learn from
   * the failure, again, until it settles, the payee refuses, no route is
   * left, attempts run out, or `timeoutMs` passes since the payment began.
   */
  async #payInOnePart(
    payer: number,
    inv: IssuedInvoice,
    payment: Payment,
    maxFeeMsat: Msat,
    mc: MissionControl,
    timeoutMs: number,
    finish: (reason: PaymentFailureReason, message: string) => Payment,
  ): Promise<Payment> {
    const d = this.deps;
    const { amountMsat, createdAt } = payment;
    let last = '';
    for (;;) {
      if (d.clock.now() - createdAt >= timeoutMs)
        return finish(
          'timeout',
          `gave up after ${timeoutMs} ms and ${plural(payment.attempts, 'attempt')}${last}`,
        );
      if (payment.attempts >= d.maxAttempts)
        return finish('no_route', `gave up after ${plural(payment.attempts, 'attempt')}${last}`);
      const route = this.#route(payer, inv, amountMsat, maxFeeMsat, mc);
      if (!route) return finish(...this.#noRoute(payer, inv, amountMsat, maxFeeMsat, mc, last));
      payment.attempts++;
      const result = await sendAlongRoute(d.htlc, route, inv);
      const now = d.clock.now();
      if (result.kind === 'settled') {
        for (let i = 1; i < route.edges.length; i++) mc.recordSuccess(route.edges[i]!, route.amounts[i]!);
        Object.assign(payment, {
          status: 'succeeded',
          preimage: result.preimage,
          feeMsat: route.feeMsat,
          hops: route.edges.length,
          resolvedAt: now,
        });
        return { ...payment };
      }
      const f = result.failure;
      if (f.kind === 'final') return finish(f.reason, f.message);
      for (let i = 1; i < result.hop; i++) mc.recordSuccess(route.edges[i]!, route.amounts[i]!);
      mc.recordFailure(f.edge, route.amounts[result.hop] ?? amountMsat, now);
      last = `; last failure: ${describeHopFailure(f, (e) => d.graph.channels[e >> 1]!.scid)}`;
    }
  }

  #route(payer: number, inv: IssuedInvoice, amountMsat: Msat, maxFeeMsat: Msat, mc: MissionControl) {
    const d = this.deps;
    const now = d.clock.now();
    const useCache = d.routerKind === 'lnd';
    if (useCache) {
      const hit = this.cache.get(payer, inv.payee, amountMsat, maxFeeMsat, d.graph.version, mc.version, now);
      // Our own first channel may have been spent, or its peer gone, since: LND checks both too.
      const first = hit?.edges[0];
      if (hit && d.online[d.graph.to(first!)] && d.graph.spendable(first!) >= hit.amounts[0]!) return hit;
    }
    const route: Route | undefined = d.router.findRoute({
      source: payer,
      target: inv.payee,
      amountMsat,
      maxFeeMsat,
      finalCltv: inv.minFinalCltv,
      now,
      kind: d.routerKind,
      mc,
      online: d.online,
    });
    if (route && useCache)
      this.cache.set(payer, inv.payee, amountMsat, maxFeeMsat, route, d.graph.version, mc.version, now);
    return route;
  }

  /** Why no route is left (`whyNoRoute`). */
  #noRoute(
    payer: number,
    inv: IssuedInvoice,
    amountMsat: Msat,
    maxFeeMsat: Msat,
    mc: MissionControl,
    last: string,
  ): [PaymentFailureReason, string] {
    return whyNoRoute({
      deps: this.deps,
      payer,
      inv,
      amountMsat,
      maxFeeMsat,
      mc,
      route: (amount, maxFee) => this.#route(payer, inv, amount, maxFee, mc),
      attempts: this.#records.get(payer, inv.paymentHash)?.payment.attempts ?? 0,
      last,
    });
  }
}
