// `<bin> webhooks …` (both servers' bins): the dead letters of the outbox in the data folder, and
// their replay. It works beside a running server (the outbox is shared; the server delivers a
// replayed message at its next look, within a second).
import { join } from 'node:path';

import { openSqliteOutbox, receiverLabel } from '@claude-code-mcp/webhooks';

import { OUTBOX_FILE } from './server-webhooks.js';

const usage = (program: string) => `usage: ${program} webhooks dead-letters | ${program} webhooks replay <message id> | ${program} webhooks replay --all`;

/**
 * Runs a `webhooks` subcommand against the outbox of `dataDir`; returns the exit code (2 with the
 * usage for bad arguments, 1 when the message to replay is not a dead letter). One JSON line per
 * dead letter; receivers by origin and digest, never their path or query.
 *
 * @example
 * ```ts
 * process.exitCode = await webhooksCommand(['replay', '--all'], { dataDir: config.dataDir, out: process.stdout, program: 'claude-code-mcp' });
 * ```
 */
export async function webhooksCommand(args: readonly string[], options: { readonly dataDir: string; readonly out: { write(text: string): unknown }; readonly program: string }): Promise<number> {
  const { dataDir, out } = options;
  const [command, target] = args;
  if (command !== 'dead-letters' && command !== 'replay') {
    out.write(`${usage(options.program)}\n`);
    return 2;
  }
  if (command === 'replay' && (target === undefined || (target !== '--all' && !/^msg_[\w-]{1,64}$/.test(target)))) {
    out.write(`${usage(options.program)}\n`);
    return 2;
  }
  const store = openSqliteOutbox(join(dataDir, OUTBOX_FILE));
  try {
    if (command === 'dead-letters') {
      for (const dead of await store.deadLetters(1_000)) {
        // The receiver by its origin and a digest: its path or query may carry a token.
        const { messageId, eventType, attempts, lastStatus, lastError, finishedAt } = dead;
        out.write(`${JSON.stringify({ messageId, receiver: receiverLabel(dead.endpoint), eventType, attempts, lastStatus, lastError, deadSince: new Date(finishedAt ?? 0).toISOString() })}\n`);
      }
      return 0;
    }
    const replayed = await store.replay(Date.now(), target === '--all' ? undefined : target);
    out.write(`${JSON.stringify({ replayed })}\n`);
    return replayed > 0 || target === '--all' ? 0 : 1;
  } finally {
    await store.close();
  }
}
