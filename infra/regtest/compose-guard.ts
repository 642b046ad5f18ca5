import { readdir } from 'node:fs/promises';
import { LabError } from '../errors.js';
import { compose, type ComposeProject } from './compose-cli.js';

/**
 * Refuses to bring a compose project up over another network: the project
 * name, its loopback ports and its data folders belong to the whole machine,
 * not to one `--state` folder, so a second `network:up --docker` (from
 * another state folder, another shell, or after containers were started by
 * hand) would bootstrap the running network again: fund every wallet and
 * open a second set of channels. Data folders an earlier network left behind
 * (its wallets and channels) are refused the same way.
 */
export async function refuseUsedProject(p: ComposeProject, dataDirs: readonly string[]): Promise<void> {
  const ids = (await compose(p, ['ps', '-aq'])).split('\n').filter((l) => l.trim() !== '');
  if (ids.length)
    throw new LabError(
      'network_running',
      `compose project ${p.project} already has ${ids.length} container(s): a network brought up from another --state folder, or by hand; ` +
        `run \`npm run network:down -- --state <its folder>\`, or \`docker compose -p ${p.project} down\``,
    );
  for (const dir of dataDirs) {
    const left = await readdir(dir).catch(() => []);
    if (left.length)
      throw new LabError(
        'network_data_left',
        `${dir} holds an earlier network's data (wallets, channels); delete it (rm -rf ${dir}) or run \`npm run network:down\` from the state folder that made it`,
      );
  }
}
