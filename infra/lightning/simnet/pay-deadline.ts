import type { Clock } from '../../time/clock.js';
import type { Payment } from '../node.js';

/**
 * What `pay` answers by its `timeoutMs` (node.ts, as LND's adapter does),
 * counted `from` the call (by default the payment's start; a second `pay` of
 * a payment under way counts from its own call): the payment's outcome if it
 * ended by then, else a copy of the payer's record, `in_flight`: an attempt
 * is still out (its HTLC offered or locked along the route, held by the
 * payee perhaps) and cannot be called back. The payment goes on; the caller
 * follows it by hash (`lookupPayment`), never paying a new invoice for it.
 * `run` is the payment itself.
 */
export function answerBy(
  clock: Clock,
  run: Promise<Payment>,
  payment: Payment,
  timeoutMs: number,
  from = payment.createdAt,
): Promise<Payment> {
  return new Promise((resolve, reject) => {
    const left = from + timeoutMs - clock.now();
    const cancel = clock.setTimer(left, () => resolve({ ...payment }));
    run.then(
      (p) => {
        cancel();
        resolve(p);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}
