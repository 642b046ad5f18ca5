export { runScenario, type RunOptions, type RunOutput } from './run.js';
export {
  loadScenario,
  loadScenarioText,
  validateScenario,
  listScenarios,
  SCENARIO_DIR,
} from './scenario/load.js';
export { ScenarioError, type ScenarioIssue } from './scenario/errors.js';
export { scenarioSchema, type Scenario } from './scenario/schema.js';
export { applyOverrides, parseOverrideArgs, type Overrides } from './scenario/overrides.js';
export { scenarioChecks } from './market/checks.js';
export { Engine, type EngineErrorCode, type EngineResult } from './engine/engine.js';
export { EmbeddedWorld } from './market/embedded-world.js';
export { RegtestWorld } from './market/regtest-world.js';
export { createWorld } from './market/worlds.js';
export type { World } from './market/world.js';
export { Recorder } from './metrics/recorder.js';
export type { Summary } from './metrics/summary.js';
export type { PurchaseRow, TaskRow } from './metrics/rows.js';
export { computeConservation, type Conservation } from './metrics/conservation.js';
export { FileSink, MemorySink, nullSink, type TextSink } from './metrics/sink.js';
export { writeRunOutputs, writeReport, summaryJson } from './report/write-run.js';
export { consoleSummary } from './report/console.js';
export { runSweep, type SweepOptions } from './sweep/runner.js';
export type { SweepResult } from './sweep/merge.js';
