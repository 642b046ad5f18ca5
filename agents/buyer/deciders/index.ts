export * from './types.js';
export {
  cheapestDecider,
  bestValueDecider,
  firstAcceptableDecider,
  randomDecider,
  trust,
  type FirstAcceptableOptions,
  type Reservation,
} from './rules.js';
export { createLlmDecider, chooseOfferSchema, type LlmDeciderOptions } from './llm.js';
export { chatModelFromEnv, TOOL_CALL_MAX_TOKENS } from '../../../infra/llm/chat-openai.js';
export { createDecider, deciderSpecSchema, type DeciderSpec, type DeciderDeps } from './spec.js';
export { thompsonDecider, sellerOutcome, ratingObservations, type ThompsonOptions } from './thompson.js';
export { betaDraw, gammaDraw } from './beta.js';
