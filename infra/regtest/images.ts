import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { ensureBinaries } from './binaries.js';
import { BTCCTL, BTCD, LNCLI, LND, type GoTarget } from './go-targets.js';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A local image built `FROM scratch` out of pinned, natively built static binaries. */
export interface LocalImage {
  tag: string;
  dockerfile: string;
  binaries: readonly GoTarget[];
}

/** The images docker-compose.local.yml names; tags carry the pinned versions. */
export const LOCAL_IMAGES: readonly LocalImage[] = [
  {
    tag: `l402-lab/lnd:${LND.version.replace(/^v/, '')}`,
    dockerfile: join(ROOT, 'docker', 'lnd', 'Dockerfile'),
    binaries: [LND, LNCLI],
  },
  {
    tag: `l402-lab/btcd:${BTCD.version.replace(/^v/, '')}`,
    dockerfile: join(ROOT, 'docker', 'btcd', 'Dockerfile'),
    binaries: [BTCD, BTCCTL],
  },
];

async function imageExists(tag: string): Promise<boolean> {
  return run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], { timeout: 30_000 }).then(
    () => true,
    () => false,
  );
}

/**
 * Builds the local images that are missing (no registry needed: `FROM
 * scratch`, the binaries copied in), building the binaries first if they
 * are not in the cache. Existing images of the pinned tags are reused.
 * Returns the tags.
 */
export async function ensureLocalImages(deps: { clock: Clock; logger?: Logger }): Promise<string[]> {
  const log = deps.logger ?? silentLogger;
  for (const image of LOCAL_IMAGES) {
    if (await imageExists(image.tag)) continue;
    const bins = await ensureBinaries(image.binaries, deps);
    const ctx = await mkdtemp(join(tmpdir(), 'l402-image-'));
    try {
      for (const b of image.binaries) await copyFile(bins[b.name]!, join(ctx, b.name));
      await copyFile(image.dockerfile, join(ctx, 'Dockerfile'));
      const started = deps.clock.now();
      // The classic builder: FROM scratch needs no registry and no BuildKit plugin.
      await run('docker', ['build', '--quiet', '-t', image.tag, ctx], {
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
        maxBuffer: 16 << 20,
        timeout: 10 * 60_000,
      }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`docker build of ${image.tag} failed: ${err.stderr?.trim() || err.message}`);
      });
      log.info({ tag: image.tag, seconds: (deps.clock.now() - started) / 1000 }, 'built local image');
    } finally {
      await rm(ctx, { recursive: true, force: true });
    }
  }
  return LOCAL_IMAGES.map((i) => i.tag);
}

/** Which images a compose network runs: Polar's published ones, or the local FROM-scratch ones. */
export type ImageChoice = 'polar' | 'local' | 'auto';

export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
export const COMPOSE_LOCAL_FILE = join(ROOT, 'docker-compose.local.yml');
const POLAR_IMAGES = ['polarlightning/bitcoind:30.0', 'polarlightning/lnd:0.20.0-beta'];

/**
 * The compose files for an image choice: docker-compose.yml alone for
 * Polar's images, plus docker-compose.local.yml for the local ones (built
 * here when missing). `auto` takes Polar's images when they are present or
 * can be pulled, the local ones otherwise (no registry reachable).
 */
export async function composeFilesFor(
  choice: ImageChoice,
  deps: { clock: Clock; logger?: Logger },
): Promise<{ files: string[]; images: 'polar' | 'local' }> {
  const log = deps.logger ?? silentLogger;
  let images: 'polar' | 'local' = choice === 'auto' ? 'polar' : choice;
  if (choice === 'auto') {
    for (const tag of POLAR_IMAGES) {
      if (await imageExists(tag)) continue;
      const pulled = await run('docker', ['pull', '--quiet', tag], { timeout: 10 * 60_000 }).then(
        () => true,
        (err: { stderr?: string }) => {
          log.info({ tag, why: err.stderr?.trim().split('\n').at(-1) }, 'cannot pull; using local images');
          return false;
        },
      );
      if (!pulled) {
        images = 'local';
        break;
      }
    }
  }
  if (images === 'polar') return { files: [COMPOSE_FILE], images };
  await ensureLocalImages(deps);
  return { files: [COMPOSE_FILE, COMPOSE_LOCAL_FILE], images };
}
