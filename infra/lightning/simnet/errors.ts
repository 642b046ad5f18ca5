/**
 * Why the embedded network refused a configuration or a call (bugs in the
 * caller, not payment outcomes): the `code` of the `LabError` it throws.
 */
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
