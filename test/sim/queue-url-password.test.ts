/**
 * A `--queue` URL that is refused must not print its password: the usage message quoted the raw
 * text (`got "redis://:S3cretPass@…"`) for every refusal but the percent-decoding one. Each
 * refusal now quotes the URL with the password taken out and the user name kept, also when the
 * text does not parse as a URL at all (the percent-decoding refusal: test/sim/queue-connection.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../sim/commands/io.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { parseQueueUrl } from '../../sim/sweep/queue-connection.js';

const USAGE = '--queue expects redis://[user:password@]host:port[/db] (rediss:// for TLS), got';

describe('a refused --queue URL with a password', () => {
  it.each([
    ['redis://u:S3cretPass@[::1', `${USAGE} "redis://u@[::1"`],
    ['u:S3cretPass@10.0.0.5:6379', `${USAGE} "u@10.0.0.5:6379"`],
    ['http://u:S3cretPass@10.0.0.5:6379', `${USAGE} "http://u@10.0.0.5:6379"`],
    ['redis://:S3cretPass@/0', `${USAGE} "redis://@/0"`],
    ['redis://u:S3cr/et@10.0.0.5:6379', `${USAGE} "redis://u@10.0.0.5:6379"`],
    [
      'redis://:S3cretPass@10.0.0.5:6379/x',
      `${USAGE} "redis://@10.0.0.5:6379/x": the database after "/" must be a number`,
    ],
    [
      'redis://u:S3cretPass@10.0.0.5:6379/0?tls=1',
      `${USAGE} "redis://u@10.0.0.5:6379/0?tls=1": no query or fragment`,
    ],
    ['redis://u:S3cretPass@10.0.0.5:6379#f', `${USAGE} "redis://u@10.0.0.5:6379#f": no query or fragment`],
  ])('%s is refused as a bad_queue_url quoting it without the password', (url, message) => {
    expect(() => parseQueueUrl(url)).toThrow(expect.objectContaining({ code: 'bad_queue_url', message }));
  });

  it('sim sweep --queue redis://:S3cretPass@127.0.0.1:6379/x fails naming the URL without the password', async () => {
    const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
    const argv = [
      'quickstart',
      '--grid',
      'durationSec=10,20',
      '--queue',
      'redis://:S3cretPass@127.0.0.1:6379/x',
    ];
    await expect(sweepCommand(argv, io)).rejects.toMatchObject({
      code: 'bad_queue_url',
      message: `${USAGE} "redis://@127.0.0.1:6379/x": the database after "/" must be a number`,
    });
  });
});
