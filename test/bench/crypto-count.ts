/**
 * Counts the cryptography a run actually does, in the process doing it: the
 * secp256k1 operations behind BOLT11 (sign, recover, verify) and the macaroon
 * HMAC work (mint, caveats added, signature-chain checks). Installed by
 * wrapping the methods of the shared `tinySecp`/`nobleSecp` objects and of
 * `Macaroon`.
 */
import { Macaroon } from '../../infra/l402/index.js';
import { nobleSecp, tinySecp, type Secp } from '../../infra/lightning/secp.js';

/** Operations counted, one name per kind of work. */
export const CRYPTO_OPS = [
  'invoice signature',
  'signature recovery',
  'signature verify',
  'macaroon mint',
  'caveat added',
  'macaroon chain check',
] as const;
export type CryptoOp = (typeof CRYPTO_OPS)[number];

/** A live counter: `take()` returns the counts since the last take and starts again from zero. */
export interface CryptoCounter {
  take(): Record<CryptoOp, number>;
}

const zero = (): Record<CryptoOp, number> =>
  Object.fromEntries(CRYPTO_OPS.map((k) => [k, 0])) as Record<CryptoOp, number>;

/** Installs the counter (once per process). */
export function installCryptoCounter(): CryptoCounter {
  let counts = zero();
  const count = (op: CryptoOp) => {
    counts[op]++;
  };
  for (const secp of [tinySecp, nobleSecp] as Secp[]) {
    const { signRecoverable, recover, verify } = secp;
    Object.assign(secp, {
      signRecoverable: (...a: Parameters<Secp['signRecoverable']>) => (
        count('invoice signature'),
        signRecoverable.apply(secp, a)
      ),
      recover: (...a: Parameters<Secp['recover']>) => (count('signature recovery'), recover.apply(secp, a)),
      verify: (...a: Parameters<Secp['verify']>) => (count('signature verify'), verify.apply(secp, a)),
    });
  }
  const mint = Macaroon.mint.bind(Macaroon);
  Macaroon.mint = (...a: Parameters<typeof Macaroon.mint>) => (count('macaroon mint'), mint(...a));
  const proto = Macaroon.prototype;
  const addCaveat = proto.addFirstPartyCaveat;
  proto.addFirstPartyCaveat = function (this: Macaroon, caveat: string) {
    count('caveat added');
    return addCaveat.call(this, caveat);
  };
  const chain = proto.signatureChain;
  proto.signatureChain = function (this: Macaroon, rootKey: Uint8Array) {
    count('macaroon chain check');
    return chain.call(this, rootKey);
  };
  return {
    take() {
      const out = counts;
      counts = zero();
      return out;
    },
  };
}
