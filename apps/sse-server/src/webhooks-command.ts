// `claude-code-mcp-http webhooks …`: the dead letters of the outbox in the data folder, and their
// replay. It works beside a running server (the outbox is shared; the server delivers a replayed
// message at its next look, within a second).
import { join } from 'node:path';

import { openSqliteOutbox, receiverLabel } from '@claude-code-mcp/webhooks';

import { OUTBOX_FILE } from './webhooks.js';

const USAGE = 'usage: claude-code-mcp-http webhooks dead-letters | webhooks replay <message id> | webhooks replay --all';

/**
 * Runs a `webhooks` subcommand against the outbox of `dataDir`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await webhooksCommand(['replay', '--all'], config.dataDir, process.stdout);
 * ```
 */
export async function webhooksCommand(args: readonly string[], dataDir: string, out: { write(text: string): unknown }): Promise<number> {
  const [command, target] = args;
  if (command !== 'dead-letters' && command !== 'replay') {
    out.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'replay' && (target === undefined || (target !== '--all' && !/^msg_[\w-]{1,64}$/.test(target)))) {
    out.write(`${USAGE}\n`);
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
