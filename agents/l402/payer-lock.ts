import { createHash } from 'node:crypto';
import { osSecrets } from '../../infra/random.js';
import { PAY_ON_SUCCESS, PAYER_KEY, PAYER_LOCK } from './paywall-response.js';
import type { PreparedRequest } from './request.js';

/** Each purchase's pay-on-success secret, by its prepared request. */
const payerKeys = new WeakMap<PreparedRequest, string>();

/**
 * Asks for a hold invoice: sets `L402-Pay-On-Success` and, once per
 * purchase, a secret from the OS CSPRNG whose sha256 goes out as
 * `L402-Payer-Lock`. Returns the secret.
 */
export function askPayOnSuccess(req: PreparedRequest): string {
  req.headers.set(PAY_ON_SUCCESS, '1');
  let key = payerKeys.get(req);
  if (key === undefined) {
    const secret = osSecrets.bytes(32);
    key = Buffer.from(secret).toString('hex');
    payerKeys.set(req, key);
    req.headers.set(PAYER_LOCK, createHash('sha256').update(secret).digest('hex'));
  }
  return key;
}

/** The pay-on-success retry shows the secret behind the lock this purchase's requests carried. */
export function showPayerKey(req: PreparedRequest): void {
  req.headers.set(PAYER_KEY, askPayOnSuccess(req));
}
