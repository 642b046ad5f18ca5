/**
 * A Go program we build from source into the cache. `install`: plain
 * `go install module/pkg@version`. `wrapper`: the module's go.mod has
 * `replace` directives, which `go install …@version` refuses, so we build it
 * from a tiny wrapper module that requires it and copies those directives.
 */
export interface GoTarget {
  /** Binary name in `<cache>/bin`. */
  name: string;
  module: string;
  version: string;
  /** Package to build (the module itself or a `cmd/…` below it). */
  pkg: string;
  how: 'install' | 'wrapper';
  tags?: readonly string[];
  /** `-ldflags` for `go build` (version stamps). */
  ldflags?: string;
  /** Checks an existing binary is the pinned version: run with `versionArgs`, match the output. */
  versionArgs: readonly string[];
  versionPattern: RegExp;
  /**
   * Where the version comes from: the binary's own output (`run`, default),
   * or the module versions Go embedded in it (`buildinfo`: `go version -m`),
   * for programs with no version flag (Aperture has none).
   */
  versionFrom?: 'run' | 'buildinfo';
}

/** lnd with the sub-servers the lab uses (hold invoices need invoicesrpc). */
export const LND: GoTarget = {
  name: 'lnd',
  module: 'github.com/lightningnetwork/lnd',
  version: 'v0.20.0-beta',
  pkg: 'github.com/lightningnetwork/lnd/cmd/lnd',
  how: 'wrapper',
  tags: ['signrpc', 'walletrpc', 'chainrpc', 'invoicesrpc', 'peersrpc', 'routerrpc'],
  versionArgs: ['--version'],
  versionPattern: /version 0\.20\.0-beta/,
};

/** lncli, for the health checks of the local lnd image (`lncli getinfo` answers once lnd is ready). */
export const LNCLI: GoTarget = {
  ...LND,
  name: 'lncli',
  pkg: 'github.com/lightningnetwork/lnd/cmd/lncli',
  versionArgs: ['--version'],
  versionPattern: /version 0\.20\.0-beta/,
};

export const BTCD: GoTarget = {
  name: 'btcd',
  module: 'github.com/btcsuite/btcd',
  version: 'v0.25.0',
  pkg: 'github.com/btcsuite/btcd',
  how: 'install',
  versionArgs: ['--version'],
  versionPattern: /version 0\.25\.0/,
};

/** btcctl v0.25.0 still prints "0.23.1-beta" (its version string was never bumped): the build stamp decides. */
export const BTCCTL: GoTarget = {
  ...BTCD,
  name: 'btcctl',
  pkg: 'github.com/btcsuite/btcd/cmd/btcctl',
  versionPattern: /btcctl version/,
};

/** Aperture, the L402 reverse proxy (interop tests). It has no `--version` flag: Go's build info tells. */
export const APERTURE: GoTarget = {
  name: 'aperture',
  module: 'github.com/lightninglabs/aperture',
  version: 'v0.5.0',
  pkg: 'github.com/lightninglabs/aperture/cmd/aperture',
  how: 'wrapper',
  versionArgs: [],
  versionPattern: /^\s*(?:mod|dep)\s+github\.com\/lightninglabs\/aperture\s+v0\.5\.0\s/m,
  versionFrom: 'buildinfo',
};

/**
 * Docker Compose v2 (the `docker compose` CLI plugin), for machines whose
 * distribution has no package for it. Its go.mod has `exclude` directives,
 * which `go install …@version` refuses, so it is built from a wrapper module;
 * the version stamp is the one its Makefile sets.
 */
export const COMPOSE: GoTarget = {
  name: 'docker-compose',
  module: 'github.com/docker/compose/v2',
  version: 'v2.40.3',
  pkg: 'github.com/docker/compose/v2/cmd',
  how: 'wrapper',
  ldflags: '-X github.com/docker/compose/v2/internal.Version=v2.40.3',
  versionArgs: ['version'],
  versionPattern: /Docker Compose version v2\.40\.3/,
};

/** What a native regtest network needs. */
export const REGTEST_TARGETS: readonly GoTarget[] = [BTCD, BTCCTL, LND];
