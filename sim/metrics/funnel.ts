import { ratio } from './stats.js';
import {
  called,
  delivered,
  forNothingShare,
  paymentAttempted,
  paymentSucceeded,
  unfinished,
  type PurchaseRow,
  type TaskRow,
} from './rows.js';

/**
 * The purchase funnel: each rate has one meaning and its own denominator,
 * so a seller refused at quote time never counts as a failed payment and a
 * policy's own denials never count against delivery. A rate whose
 * denominator is 0 is null (nothing to measure), never 0.
 */
export interface FunnelStats {
  /** Purchase attempts (rows), including ones refused before paying. */
  attempts: number;
  /** Attempts that ended at quote time (invoice refused, no usable 402, seller unreachable). */
  quoteRejections: number;
  /** quoteRejections / attempts. */
  quoteRejectionRate: number | null;
  /** Attempts denied by the buyer's payment policy (or its budget). */
  policyDenials: number;
  /** policyDenials / attempts that passed the quote check. */
  policyDenialRate: number | null;
  /** Lightning payments tried: the node was asked to pay and took the payment up (`paymentAttempted`; not a `not_started` one). */
  paymentsAttempted: number;
  /**
   * Payments that went through (`paymentSucceeded`): a row's own payment that paid, or one whose fate was unknown
   * when its attempt ended and that recovery completed, counted on the row that books its money (tried once, on the
   * attempt that made it).
   */
  paymentsSucceeded: number;
  /** paymentsSucceeded / paymentsAttempted. */
  paymentSuccessRate: number | null;
  /** Calls made with a paid or held token (stage `consume`; a token acquired without a call is none). */
  paidCalls: number;
  /** Paid calls that delivered (outcome success). */
  delivered: number;
  /** delivered / paidCalls. */
  deliveryRate: number | null;
  /**
   * Money paid for nothing, in payments: payments for a call (paidMsat > 0, stage consume) whose token delivered
   * no call in the run. A paid call that failed does not count when its token delivered another call (an honest
   * seller gives a 5xx call back, and a later task delivers with the token).
   */
  paymentsForNothing: number;
  /** Delivered calls served by a token held from before. */
  tokenReuses: number;
  /** tokenReuses / delivered. */
  tokenReuseRate: number | null;
  /** Tasks fed to the funnel: the run's end tasks (buyers, sub-agents); a group's own tasks in a group's funnel. */
  tasks: number;
  tasksDone: number;
  /** Tasks the run ended under, still running at its time limit (stop reason `unfinished`; counted in `tasks`, not done). */
  tasksUnfinished: number;
  /** tasksDone / tasks. */
  taskCompletionRate: number | null;
}

/** Counts the funnel from rows and task rows, in O(1) memory. */
export class Funnel {
  #attempts = 0;
  #quote = 0;
  #denied = 0;
  #payTried = 0;
  #payOk = 0;
  #calls = 0;
  #delivered = 0;
  #forNothing = 0;
  #reuses = 0;
  #tasks = 0;
  #done = 0;
  #unfinished = 0;

  add(r: PurchaseRow): void {
    this.#attempts++;
    if (r.stage === 'quote') this.#quote++;
    if (r.stage === 'authorize') this.#denied++;
    if (paymentAttempted(r)) this.#payTried++;
    if (paymentSucceeded(r)) this.#payOk++;
    if (called(r)) this.#calls++;
    if (delivered(r)) {
      this.#delivered++;
      if (r.tokenReused) this.#reuses++;
    }
    this.#forNothing += forNothingShare(r);
  }

  task(t: TaskRow): void {
    this.#tasks++;
    if (t.done) this.#done++;
    if (unfinished(t)) this.#unfinished++;
  }

  result(): FunnelStats {
    return {
      attempts: this.#attempts,
      quoteRejections: this.#quote,
      quoteRejectionRate: ratio(this.#quote, this.#attempts),
      policyDenials: this.#denied,
      policyDenialRate: ratio(this.#denied, this.#attempts - this.#quote),
      paymentsAttempted: this.#payTried,
      paymentsSucceeded: this.#payOk,
      paymentSuccessRate: ratio(this.#payOk, this.#payTried),
      paidCalls: this.#calls,
      delivered: this.#delivered,
      deliveryRate: ratio(this.#delivered, this.#calls),
      paymentsForNothing: this.#forNothing,
      tokenReuses: this.#reuses,
      tokenReuseRate: ratio(this.#reuses, this.#delivered),
      tasks: this.#tasks,
      tasksDone: this.#done,
      tasksUnfinished: this.#unfinished,
      taskCompletionRate: ratio(this.#done, this.#tasks),
    };
  }
}
