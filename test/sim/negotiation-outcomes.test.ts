/**
 * An agreed negotiation saves money only when its agreed price is paid: the simulator pairs each
 * negotiation with its task's purchase rows, per agent and task (an agent's tasks run at once).
 */
import { describe, expect, it } from 'vitest';
import { NegotiationAggregator } from '../../sim/metrics/negotiation.js';
import { NegotiationOutcomes, type SellerNegotiation } from '../../sim/metrics/negotiation-outcomes.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';

/** An agreement with seller `s` at 6,000 msat against its posted 10,000, after 3 bids. */
const agreedWith = (seller: string): SellerNegotiation => ({
  result: 'agreed',
  postedMsat: 10_000,
  agreedMsat: 6_000,
  rounds: 3,
  seller,
});

/** A purchase row of buyer `b`'s task from `seller`: `paidMsat` paid (0: nothing), with its outcome. */
function row(
  taskId: string,
  seller: string,
  outcome: string,
  paidMsat: number,
  tokenReused = false,
): PurchaseRow {
  return {
    seq: 0,
    startMs: 0,
    endMs: 1,
    buyer: 'b',
    group: 'g',
    role: 'buyer',
    seller,
    capability: 'c',
    taskId,
    tierKind: 'single',
    stage: paidMsat > 0 || tokenReused ? 'consume' : 'authorize',
    outcome,
    failure: '',
    refusal: '',
    reason: '',
    quotedMsat: tokenReused ? 0 : 6_000,
    paidMsat,
    feeMsat: 0,
    sellerCostMsat: 0,
    hops: 1,
    requests: 4,
    tokenReused,
    steps: {},
  };
}

describe('negotiation stats count savings only on agreements paid at the agreed price', () => {
  it('of 3 agreements (one paid, one denied by policy, one in a task never recorded) counts 3 agreed, 1 paid, 4,000 msat saved', () => {
    const stats = new NegotiationAggregator();
    const outcomes = new NegotiationOutcomes(stats);
    const at = (taskId: string) => ({ group: 'g', buyer: 'b', taskId });
    // Tasks t1 and t2 of one agent run at once: both negotiate before either records its rows.
    outcomes.negotiation(at('t1'), agreedWith('s'));
    outcomes.negotiation(at('t2'), agreedWith('s'));
    outcomes.negotiation(at('t3'), agreedWith('s'));
    outcomes.purchase(row('t2', 's', 'policy_denied', 0));
    outcomes.taskEnded('b', 't2');
    outcomes.purchase(row('t1', 's', 'success', 6_000));
    outcomes.purchase(row('t1', 's', 'success', 0, true));
    outcomes.taskEnded('b', 't1');
    outcomes.flush();
    expect(stats.result()).toEqual({
      g: {
        negotiations: 3,
        agreed: 3,
        paid: 1,
        noAgreement: 0,
        notOffered: 0,
        failureRate: 0,
        meanRounds: 3,
        postedMsat: 10_000,
        paidMsat: 6_000,
        savingsMsat: 4_000,
        savingsRate: 0.4,
      },
    });
  });

  it("pays no agreement with a row of another seller, another price, or another agent's task of the same id", () => {
    const stats = new NegotiationAggregator();
    const outcomes = new NegotiationOutcomes(stats);
    outcomes.negotiation({ group: 'g', buyer: 'b', taskId: 't1' }, agreedWith('s'));
    outcomes.purchase(row('t1', 'other', 'success', 6_000));
    outcomes.purchase(row('t1', 's', 'success', 10_000));
    outcomes.purchase({ ...row('t1', 's', 'success', 6_000), buyer: 'b2' });
    outcomes.taskEnded('b', 't1');
    expect(stats.result().g).toMatchObject({
      agreed: 1,
      paid: 0,
      postedMsat: 0,
      savingsMsat: 0,
      savingsRate: null,
    });
  });
});
