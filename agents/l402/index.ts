export * from './outcome.js';
export { createL402Client, type L402Client, type L402ClientOptions, type L402RequestInit } from './client.js';
export { checkInvoice, type InvoiceCheck, type InvoiceExpectations } from './invoice-check.js';
export { MemoryTokenStore, tokenUsable, type StoredToken, type TokenStore } from './token-store.js';
export { FileTokenStore, TokenStoreError } from './file-token-store.js';
export { readTokenLimits, type TokenLimits } from './token-caveats.js';
export {
  chooseChallenge,
  readPaywallAnswer,
  type PaywallAnswer,
  type SellerNote,
} from './paywall-response.js';
export { prepareRequest, buildRequest, type PreparedRequest } from './request.js';
export { SingleFlight } from './single-flight.js';
export type { ClientContext, StepFailure } from './context.js';
export { send, makeOffer, quoteOf, authorizeOffer, type Offer } from './offer.js';
export { payOffer, payOnDelivery, type PaidOffer, type PayFailure } from './payment.js';
export { sendWithToken, sendAuthorized, type Delivery } from './delivery.js';
export { l402FetchTool, l402FetchSchema } from './tool.js';
