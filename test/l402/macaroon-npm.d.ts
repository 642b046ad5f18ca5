// Types for the parts of the `macaroon` npm package (3.0.4, untyped) the
// cross-check tests use. Test-only: product code never imports it.
declare module 'macaroon' {
  export interface NpmMacaroon {
    readonly location: string;
    readonly identifier: Uint8Array;
    readonly signature: Uint8Array;
    readonly caveats: { identifier: Uint8Array; location?: string; vid?: Uint8Array }[];
    addFirstPartyCaveat(caveat: Uint8Array | string): void;
    verify(rootKey: Uint8Array, check: (condition: string) => string | null): void;
    exportBinary(): Uint8Array;
  }
  export function newMacaroon(params: {
    identifier: Uint8Array | string;
    location?: string;
    rootKey: Uint8Array | string;
    version?: 1 | 2;
  }): NpmMacaroon;
  export function importMacaroon(data: Uint8Array | string): NpmMacaroon;
  export function bytesToBase64(bytes: Uint8Array): string;
  export function base64ToBytes(text: string): Uint8Array;
}
