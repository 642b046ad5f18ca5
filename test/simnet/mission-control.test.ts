/**
 * Mission control's options are probabilities: the router's route search
 * counts on none above 1 (it skips an edge whose sender is labelled within
 * the least weight an edge can have, the attempt cost at probability 1).
 */
import { describe, expect, it } from 'vitest';
import { MissionControl } from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';

describe('mission control options', () => {
  it('a network refuses an apriori or success probability outside 0..1 when made, naming the option', () => {
    expect(() => makeNet({ missionControl: { aprioriProbability: 1.5 } })).toThrow(
      'missionControl.aprioriProbability must be a probability in 0..1, got 1.5',
    );
    expect(() => new MissionControl({ successProbability: -0.1 })).toThrow(
      'missionControl.successProbability must be a probability in 0..1, got -0.1',
    );
  });
});
