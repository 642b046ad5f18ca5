/**
 * The token file and the budget book are kept where only their user can change them
 * (infra/private-file.ts): the red team, as uid 65534 with write access to a shared token
 * directory, planted symbolic links at the names the store wrote its temporary files to
 * (`tokens.json.tmp-<pid>-<n>`, n from 0), read the paid preimage and spent the bundle.
 */
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FileTokenStore, type StoredToken } from '../../agents/l402/index.js';
import { FileBudgetBook } from '../../agents/policies/index.js';

const NOBODY = 65534;
const UID = process.getuid?.();
const NOT_ROOT =
  UID === 0 ? undefined : 'giving a file to uid 65534 (chown) needs root; CI (.ci/run) runs as root';
/** A test that makes files another user's: run as root only, skipped with the reason otherwise. */
const asRoot = (name: string, fn: () => Promise<void>) =>
  NOT_ROOT === undefined ? it(name, fn) : it.skip(`${name} (skipped: ${NOT_ROOT})`, fn);

const token: StoredToken = {
  origin: 'http://a.test',
  pathPrefix: '/v1',
  macaroon: 'AgEEbHNhdA',
  paymentHash: 'aa'.repeat(32),
  preimage: 'bb'.repeat(32),
  state: 'paid',
  createdAt: 0,
  callsUsed: 0,
};
const tokenText = JSON.stringify({ version: 1, tokens: [token] });

/** A directory of the test's own: mode 0700 (mkdtemp). */
const ownDir = () => mkdtemp(join(tmpdir(), 'l402-private-'));

/** The attacker's file, elsewhere: empty, mode 0666, as the red team's probe made it. */
async function attackerFile(): Promise<string> {
  const path = join(await ownDir(), 'loot');
  await writeFile(path, '');
  await chmod(path, 0o666);
  return path;
}

/** Symbolic links to `target` at the names the stores wrote their temporary files to before. */
async function plantLinks(file: string, target: string): Promise<string[]> {
  const names: string[] = [];
  for (let n = 0; n < 20; n++) {
    await symlink(target, `${file}.tmp-${process.pid}-${n}`);
    names.push(basename(`${file}.tmp-${process.pid}-${n}`));
  }
  return names;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('a token file', () => {
  it('is written as a new regular file, mode 0600, never through symbolic links planted at the temporary names `tokens.json.tmp-<pid>-<n>`: the link target stays empty', async () => {
    const path = join(await ownDir(), 'tokens.json');
    const loot = await attackerFile();
    await plantLinks(path, loot);
    const store = await FileTokenStore.open(path);
    await store.put({ ...token });
    await store.close();
    const st = await lstat(path);
    expect([st.isFile(), st.mode & 0o777, await readFile(loot, 'utf8')]).toEqual([true, 0o600, '']);
    expect(JSON.parse(await readFile(path, 'utf8')).tokens[0].preimage).toBe(token.preimage);
  });

  it('is refused in a directory others may write (mode 0777), naming it and the fix, and nothing is written there', async () => {
    const dir = join(await ownDir(), 'shared');
    await mkdir(dir);
    await chmod(dir, 0o777);
    const path = join(dir, 'tokens.json');
    const links = await plantLinks(path, await attackerFile());
    await expect(FileTokenStore.open(path)).rejects.toMatchObject({
      code: 'unsafe_directory',
      message:
        `token file directory ${dir} has mode 0777: others than its owner may create and replace files in it; ` +
        `run chmod go-w ${dir}, or use a directory of your own`,
    });
    expect((await readdir(dir)).sort()).toEqual(links.sort());
  });

  asRoot('is refused in a directory owned by uid 65534 (mode 0700), naming it and the fix', async () => {
    const dir = join(await ownDir(), 'planted');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, NOBODY, NOBODY);
    await expect(FileTokenStore.open(join(dir, 'tokens.json'))).rejects.toMatchObject({
      code: 'unsafe_directory',
      message:
        `token file directory ${dir} belongs to uid 65534, not to uid 0 this process runs as: its owner can ` +
        `replace the files kept in it; use a directory of your own (or, if it is yours, run chown 0 ${dir})`,
    });
  });

  it('that group and others may read (mode 0644) is made 0600 on opening, its tokens loaded, with a pino warning naming it', async () => {
    const path = join(await ownDir(), 'tokens.json');
    await writeFile(path, tokenText, { mode: 0o644 });
    await chmod(path, 0o644);
    const warnings: { level: number; path: string; formerMode: string; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    const store = await FileTokenStore.open(path, { logger });
    await store.close();
    expect([await modeOf(path), store.list().map((t) => t.preimage)]).toEqual([0o600, [token.preimage]]);
    expect(warnings.map(({ level, path, formerMode, msg }) => ({ level, path, formerMode, msg }))).toEqual([
      {
        level: 40,
        path,
        formerMode: '644',
        msg:
          `${path} had mode 0644: others than its owner could use it, and whoever reads it can spend the tokens ` +
          'paid for in it; it is 0600 now (and if others did read it, they can spend its paid tokens too: buy afresh)',
      },
    ]);
  });

  it('that is a symbolic link (to a 0600 token file of the same user) is refused, naming it and the fix', async () => {
    const elsewhere = join(await ownDir(), 'tokens.json');
    await writeFile(elsewhere, tokenText, { mode: 0o600 });
    const path = join(await ownDir(), 'tokens.json');
    await symlink(elsewhere, path);
    await expect(FileTokenStore.open(path)).rejects.toMatchObject({
      code: 'unsafe_file',
      message:
        `${path} is a symbolic link: whoever may change the link chooses the file read and written here, and ` +
        'whoever reads it can spend the tokens paid for in it; replace the link with the file itself',
    });
  });

  asRoot('owned by uid 65534 (mode 0600) is refused, naming it and the fix', async () => {
    const path = join(await ownDir(), 'tokens.json');
    await writeFile(path, tokenText, { mode: 0o600 });
    await chown(path, NOBODY, NOBODY);
    await expect(FileTokenStore.open(path)).rejects.toMatchObject({
      code: 'unsafe_file',
      message:
        `${path} belongs to uid 65534, not to uid 0 this process runs as: that user may have written or read it, ` +
        `and whoever reads it can spend the tokens paid for in it; if it is yours, run chown 0 ${path}, otherwise ` +
        'remove it (and if others did read it, they can spend its paid tokens too: buy afresh)',
    });
  });

  it('gets the directories it creates, each parent too, with mode 0700', async () => {
    const base = await ownDir();
    await (await FileTokenStore.open(join(base, 'a', 'b', 'tokens.json'))).close();
    expect([await modeOf(join(base, 'a')), await modeOf(join(base, 'a', 'b'))]).toEqual([0o700, 0o700]);
  });
});

describe('a budget file', () => {
  it('is written as a new regular file, mode 0600, never through symbolic links planted at the temporary names `budgets.json.tmp-<pid>-<n>`: the link target stays empty', async () => {
    const path = join(await ownDir(), 'budgets.json');
    const loot = await attackerFile();
    await plantLinks(path, loot);
    const book = await FileBudgetBook.open(path);
    await book.hold('b', 1, { atMs: 0, amountMsat: 5_000 });
    await book.close();
    const st = await lstat(path);
    expect([st.isFile(), st.mode & 0o777, await readFile(loot, 'utf8')]).toEqual([true, 0o600, '']);
    expect(JSON.parse(await readFile(path, 'utf8')).budgets.b.holds).toEqual({ 1: [0, 5_000] });
  });

  it('is refused in a directory others may write (mode 0777), naming it and the fix', async () => {
    const dir = join(await ownDir(), 'shared');
    await mkdir(dir);
    await chmod(dir, 0o777);
    await expect(FileBudgetBook.open(join(dir, 'budgets.json'))).rejects.toMatchObject({
      code: 'unsafe_directory',
      message:
        `budget file directory ${dir} has mode 0777: others than its owner may create and replace files in it; ` +
        `run chmod go-w ${dir}, or use a directory of your own`,
    });
  });

  it('that others may write (mode 0666) is refused, naming it and the fix; one they may only read (0644) opens', async () => {
    const path = join(await ownDir(), 'budgets.json');
    await writeFile(path, JSON.stringify({ version: 1, budgets: {} }));
    await chmod(path, 0o666);
    await expect(FileBudgetBook.open(path)).rejects.toMatchObject({
      code: 'unsafe_file',
      message:
        `${path} has mode 0666: others than its owner may change it, and whoever changes it can erase the ` +
        `spending it records; run chmod go-w ${path}`,
    });
    await chmod(path, 0o644);
    await (await FileBudgetBook.open(path)).close();
  });

  it('in a directory that is a symbolic link is refused, naming where it points', async () => {
    const real = await ownDir();
    const link = join(await ownDir(), 'link');
    await symlink(real, link);
    await expect(FileBudgetBook.open(join(link, 'budgets.json'))).rejects.toMatchObject({
      code: 'unsafe_directory',
      message:
        `budget file directory ${link} is a symbolic link (to ${await realpath(real)}): whoever may change the ` +
        'link chooses where the files kept in it go; give the directory itself, or another directory of your own',
    });
  });
});
