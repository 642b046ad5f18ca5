import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listScenarios, SCENARIO_DIR } from '../../sim/scenario/load.js';

describe('listScenarios', () => {
  it('names exactly the scenario files in sim/scenarios, each once', () => {
    const files = readdirSync(SCENARIO_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length));
    expect([...listScenarios()].sort()).toEqual(files.sort());
  });
});
