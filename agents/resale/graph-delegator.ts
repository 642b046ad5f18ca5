import type { Clock } from '../../infra/time/clock.js';
import type { BuyerDeps, Delegation } from '../buyer/index.js';
import { delegate } from './delegate.js';

/**
 * The buyer graph's delegate step: attenuate the token just used for a named sub-agent. The
 * calls handed down come out of what the token has left (`callsUsed`): asking for more throws
 * LabError('cannot_attenuate').
 */
export function graphDelegator(clock: Clock): NonNullable<BuyerDeps['delegate']> {
  return (token, spec): Delegation => {
    const d = delegate(token, { id: spec.to, calls: spec.calls, validForSec: spec.validForSec }, { clock });
    return {
      to: spec.to,
      origin: d.origin,
      macaroon: d.macaroon,
      preimage: d.preimage,
      ...(d.scheme !== undefined ? { scheme: d.scheme } : {}),
      calls: spec.calls,
      validUntilMs: d.validUntilMs ?? clock.now() + spec.validForSec * 1000,
    };
  };
}
