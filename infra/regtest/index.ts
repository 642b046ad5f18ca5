export {
  loadNetwork,
  saveNetwork,
  parseNetwork,
  nodeByName,
  nodesByRole,
  networkDescSchema,
  nodeDescSchema,
  nodeRoleSchema,
  type NetworkDesc,
  type NodeDesc,
  type NodeRole,
  type BitcoinDesc,
  type NetworkFileErrorCode,
} from './network-file.js';
export { connectNode, connectNetwork, closeAll } from './connect.js';
export { upNative, downNative, type NativeUpOptions } from './native.js';
export { stopNode, startNode } from './node-restart.js';
export { upDocker, downDocker, type DockerUpOptions } from './docker.js';
export { readComposeLayout, type ComposeLayout } from './compose-layout.js';
export { dockerAvailable, composeAvailable, prepareDocker, stopDockerd } from './engine.js';
export { ensureLocalImages, composeFilesFor, LOCAL_IMAGES, type ImageChoice } from './images.js';
export { downNetwork, networkRunning, stopNetworkNode, startNetworkNode } from './lifecycle.js';
export { attachPolar, guessRole, type PolarAttachOptions, type PolarAttachResult } from './polar.js';
export { findPolarNetwork, polarHomes, type PolarNetwork } from './polar-networks.js';
export type { PolarNode } from './polar-node.js';
export { bootstrap, prepareChain, type BootNode, type BootstrapResult } from './bootstrap.js';
export {
  defaultTopology,
  loadTopology,
  parseTopology,
  resolveTopology,
  topologySchema,
  type Topology,
} from './topology.js';
export { Chain, type ChainRpcConfig, type ChainRpcErrorCode } from './chain.js';
export { Faucet, type FundingOutput } from './faucet.js';
export { LndAdmin, waitForLnd, type OpenChannelOptions } from './lnd-admin.js';
export {
  ensureBinaries,
  existingBinary,
  goVersion,
  cacheDir,
  parseReplaces,
  type BuildErrorCode,
} from './binaries.js';
export { LND, BTCD, BTCCTL, APERTURE, COMPOSE, LNCLI, REGTEST_TARGETS, type GoTarget } from './go-targets.js';
export {
  acquireSharedNetwork,
  type SharedNetworkLease,
  type SharedNetworkOptions,
} from './shared-network.js';
export { readState, teardown, processStatus, type NetworkState } from './state.js';
