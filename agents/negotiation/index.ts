/** Negotiators for both sides of the L402 price negotiation: rules and LangChain chat models. */
export { ruleBuyer, type RuleBuyerOptions } from './buyer-rule.js';
export { llmBuyer, proposeSchema, type LlmBuyerOptions } from './buyer-llm.js';
export { ruleSeller, type RuleSellerOptions } from '../../services/sellers/rule-negotiator.js';
export { llmSeller, replySchema, type LlmSellerOptions } from './seller-llm.js';
