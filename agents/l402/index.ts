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
export {
  send,
  makeOffer,
  quoteOf,
  authorizeOffer,
  payOffer,
  sendWithToken,
  type ClientContext,
  type Offer,
  type PaidOffer,
  type StepFailure,
  type Delivery,
} from './steps.js';
export { l402FetchTool, l402FetchSchema } from './tool.js';
