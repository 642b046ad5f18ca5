/**
 * Which registry a signed write is for. Every signed registry message names
 * the registry it is meant for: the origin (`scheme://host:port`) of the URL
 * the signer addressed, which `RegistryClient` takes from its `baseUrl`. A
 * registry knows the origins it is addressed at (`--public-url`, by default
 * the address it listens on) and refuses a write naming any other as
 * `wrong_registry`, so a write one registry received cannot be replayed to
 * another (an update, a removal, a registration the seller never sent there).
 *
 * The origin comes from configuration, never from the request (its Host
 * header is whatever the sender writes), so a registry behind a proxy is
 * told the URL its clients use.
 */
import { isIP } from 'node:net';
import type { RegistryFailure } from './types.js';

const wrongRegistry = (message: string): RegistryFailure => ({ ok: false, code: 'wrong_registry', message });

/** The origins a registry is addressed at, or a function reading them at each write (a server learns its port once listening). */
export type RegistryOrigins = readonly string[] | (() => readonly string[]);

/** The origin of an http(s) `url` (lowercase host, default port dropped), or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
}

/**
 * Refuses a write that names another registry than one of `origins`, or none (undefined `origins`:
 * not checked, as for in-process registries of a lab).
 */
export function checkRegistry(
  named: string | undefined,
  origins: readonly string[] | undefined,
): RegistryFailure | undefined {
  if (origins === undefined) return undefined;
  const origin = named === undefined ? undefined : originOf(named);
  if (origin !== undefined && origins.includes(origin)) return undefined;
  const self = origins.join(' or ');
  if (named === undefined)
    return wrongRegistry(
      `the write names no registry, and a signed write must name the registry it is for; this registry is ${self}: sign it for ${origins[0]} (a RegistryClient signs for its baseUrl)`,
    );
  return wrongRegistry(
    `the write is signed for registry ${named}, and this registry is ${self}: a write signed for one registry is not accepted by another; ` +
      `sign it for ${origins[0]}, or, if ${named} is this registry's own address, start the registry with --public-url ${named}`,
  );
}

/**
 * The origins a server is addressed at: `publicUrls` when given; else the address it listens on
 * (`listening`, `http://host:port`), and for a loopback or any-interface bind the loopback names
 * this machine reaches it by (`127.0.0.1`, `localhost`, `[::1]`).
 */
export function serverOrigins(
  publicUrls: readonly string[] | undefined,
  listening: { hostname: string; port: number; url: string },
): string[] {
  if (publicUrls !== undefined && publicUrls.length > 0) return [...new Set(publicUrls.map(requireOrigin))];
  const host = listening.hostname.replace(/^\[(.*)\]$/, '$1');
  const names = isIP(host) === 0 ? [listening.hostname] : [];
  if (LOCAL_BINDS.includes(host)) names.push('127.0.0.1', 'localhost', '[::1]');
  const origins = [listening.url, ...names.map((n) => `http://${n}:${listening.port}`)].map((u) =>
    originOf(u)!,
  );
  return [...new Set(origins)].filter((o) => !/^http:\/\/(0\.0\.0\.0|\[::\]):/.test(o));
}

/** Binds this machine reaches by its loopback names: loopback itself, and every interface. */
const LOCAL_BINDS = ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'];

/** The origins `origins` names (its function read now), each as `requireOrigin` makes it. */
export function originsOf(origins: RegistryOrigins): string[] {
  return (typeof origins === 'function' ? origins() : origins).map(requireOrigin);
}

/** The origin of a public URL a registry is given, or a RangeError naming it. */
export function requireOrigin(url: string): string {
  const origin = originOf(url);
  if (origin === undefined)
    throw new RangeError(
      `public URL ${JSON.stringify(url)} is not an http(s) URL; give the URL clients address the registry at, e.g. https://registry.example`,
    );
  return origin;
}
