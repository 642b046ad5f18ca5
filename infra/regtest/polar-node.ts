/** Polar's `Status` enum, saved as its number (the index is the saved value). */
export const POLAR_STATUS = ['starting', 'started', 'stopping', 'stopped', 'error'] as const;
export type PolarStatus = (typeof POLAR_STATUS)[number];

/** What a node is to attach: LND-compatible (LND, litd), a chain backend, or something else. */
export type PolarKind = 'LND' | 'litd' | 'c-lightning' | 'eclair' | 'bitcoind' | 'btcd' | 'other';

export interface PolarNode {
  name: string;
  kind: PolarKind;
  /** The image the node runs (custom images included); '' when unknown. */
  image: string;
  status?: PolarStatus;
  restPort?: number;
  grpcPort?: number;
  p2pPort?: number;
  /** bitcoind's RPC port. */
  rpcPort?: number;
  tlsCertPath?: string;
  macaroonPath?: string;
  backendName?: string;
}
