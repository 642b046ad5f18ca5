/** Why the embedded network refused a configuration or a call (bugs in the caller, not payment outcomes). */
export type SimnetErrorCode =
  | 'invalid_channel'
  | 'invalid_node'
  | 'duplicate_alias'
  | 'unknown_node'
  | 'unknown_channel'
  | 'invalid_topology'
  | 'invalid_distribution'
  | 'invalid_payment_options'
  | 'invalid_invoice_request'
  | 'unknown_invoice'
  | 'invalid_state';

/** A configuration or call error of the simulated network, with a machine-readable `code`. */
export class SimnetError extends Error {
  override readonly name = 'SimnetError';
  constructor(
    readonly code: SimnetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
