export * from './types.js';
export { TASK_CREDITS, earnedMsat, type TaskCredit } from './credit.js';
export * from './deciders/index.js';
export { createBuyerAgent, type BuyerAgent, type BuyerAgentOptions } from './agent.js';
export { buildBuyerGraph, type BuyerGraph } from './graph.js';
export { BuyerState, type BuyerStateT, type BuyerUpdate } from './state.js';
export type { BuyerDeps, QuotingMode } from './deps.js';
