import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { cacheDir, ensureBinaries } from './binaries.js';
import { COMPOSE } from './go-targets.js';
import { isAlive, logTail, spawnDaemon, stopProcess, type ProcessRecord } from './processes.js';
import { LabError } from '../errors.js';
import { parseRecord, processSchema } from './state.js';

const run = promisify(execFile);

/**
 * Makes a Docker engine and the Compose v2 plugin available: installs
 * Debian's `docker.io` when there is no `dockerd` (root only), builds
 * Compose from the Go module proxy into the cache when `docker compose`
 * is missing (linked as `~/.docker/cli-plugins/docker-compose`), and starts
 * `dockerd` in the background when no daemon answers. Only a daemon started
 * here is recorded (`<cache>/dockerd.json`) and stopped by `stopDockerd`.
 */

export interface DockerSetupDeps {
  clock: Clock;
  logger?: Logger;
  /** Install the engine with apt-get when missing (default true). */
  install?: boolean;
}

export interface DockerSetup {
  /** What was done, one line each ("installed docker.io", "started dockerd pid 123", …). */
  actions: string[];
}

const daemonRecord = (): string => join(cacheDir(), 'dockerd.json');

/** True when a Docker engine answers (`docker info`), not just a docker client. */
export async function dockerAvailable(): Promise<boolean> {
  return run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 }).then(
    () => true,
    () => false,
  );
}

/** True when `docker compose` (v2) runs. */
export async function composeAvailable(): Promise<boolean> {
  return run('docker', ['compose', 'version'], { timeout: 15_000 }).then(
    () => true,
    () => false,
  );
}

const onPath = (cmd: string): Promise<boolean> =>
  run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );

export async function prepareDocker(deps: DockerSetupDeps): Promise<DockerSetup> {
  const log = deps.logger ?? silentLogger;
  const actions: string[] = [];
  if (!(await onPath('dockerd')) && !(await dockerAvailable())) {
    if (deps.install === false || process.getuid?.() !== 0) {
      throw new LabError(
        'docker_unavailable',
        'no Docker engine here: install Docker (Debian/Ubuntu: `apt-get install docker.io`, as root), ' +
          'or use the native network (npm run network:up -- --native)',
      );
    }
    log.info('installing docker.io with apt-get');
    const apt = (args: string[]) =>
      run('apt-get', args, {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        maxBuffer: 64 << 20,
      });
    await apt(['install', '-y', '--no-install-recommends', 'docker.io']).catch(async () => {
      await apt(['update']);
      await apt(['install', '-y', '--no-install-recommends', 'docker.io']);
    });
    actions.push('installed docker.io (apt-get)');
  }
  if (!(await dockerAvailable())) {
    const rec = await startDockerd(deps.clock, log);
    actions.push(`started dockerd (pid ${rec.pid}, log ${rec.logFile})`);
  }
  if (!(await composeAvailable())) {
    const bins = await ensureBinaries([COMPOSE], { clock: deps.clock, logger: log });
    const plugins = join(homedir(), '.docker', 'cli-plugins');
    await mkdir(plugins, { recursive: true });
    await rm(join(plugins, 'docker-compose'), { force: true });
    await symlink(bins['docker-compose']!, join(plugins, 'docker-compose'));
    if (!(await composeAvailable()))
      throw new LabError(
        'docker_unavailable',
        `built ${bins['docker-compose']} but \`docker compose version\` still fails`,
      );
    actions.push(`installed Compose ${COMPOSE.version} as ${join(plugins, 'docker-compose')}`);
  }
  return { actions };
}

async function startDockerd(clock: Clock, log: Logger): Promise<ProcessRecord> {
  if (process.getuid?.() !== 0)
    throw new LabError(
      'docker_unavailable',
      'no Docker daemon answers and only root can start dockerd: start Docker, then retry',
    );
  const logFile = join(cacheDir(), 'dockerd.log');
  await mkdir(cacheDir(), { recursive: true });
  const rec = spawnDaemon('dockerd', 'dockerd', [], logFile);
  await writeFile(daemonRecord(), JSON.stringify(rec) + '\n');
  log.info({ pid: rec.pid, logFile }, 'started dockerd');
  const until = clock.now() + 60_000;
  while (!(await dockerAvailable())) {
    if (!isAlive(rec.pid) || clock.now() > until) {
      const tail = await logTail(logFile);
      await stopDockerd(clock);
      throw new LabError('docker_unavailable', `dockerd did not come up:\n${tail}`);
    }
    await clock.sleep(500);
  }
  return rec;
}

/** Stops the dockerd `prepareDocker` started (and only that one); returns whether it stopped one. */
export async function stopDockerd(clock: Clock): Promise<boolean> {
  const text = await readFile(daemonRecord(), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const rec = parseRecord(processSchema, text, daemonRecord(), 'a dockerd record');
  // dockerd stops its containers first (each gets its stop grace period).
  const how = await stopProcess(rec, clock, 90_000);
  await rm(daemonRecord(), { force: true });
  return how !== 'gone';
}
