export * from './errors.js';
export * from './graph.js';
export * from './latency.js';
export * from './mission-control.js';
export * from './outcomes.js';
export * from './router.js';
export * from './network.js';
export * from './sim-node.js';
