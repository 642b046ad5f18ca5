/**
 * Fee rates of the lab's regtest networks, chosen so that a channel's
 * commitment fee (and so its opener's balance) is the same on every bring-up.
 *
 * LND (0.18.4 and later) estimates regtest fees with btcd's estimator, which
 * answers with a fee rate it saw confirmed in recent blocks, so which of our
 * transactions it happened to see decided the commitment fee rate (a few sat
 * per channel from one bring-up to the next). Every transaction the lab sends
 * pays `ONCHAIN_SAT_PER_VBYTE`, so the estimate never falls below it; LND caps
 * an anchor channel's commitment fee rate at `COMMIT_SAT_PER_VBYTE`
 * (`--max-commit-fee-rate-anchors`), which is lower, so the cap is the rate.
 */

/** sat/vB paid by the faucet's and every channel-funding transaction. */
export const ONCHAIN_SAT_PER_VBYTE = 5;

/**
 * sat/vB cap on anchor commitments (500 sat/kw): LND's smallest whole-sat/vB
 * cap above its 253 sat/kw commitment floor. docker-compose*.yml pass the same.
 */
export const COMMIT_SAT_PER_VBYTE = 2;
