// Tells its listeners when a command folder changes, so that servers can send prompts/list_changed.
import { watch, type FSWatcher } from 'node:fs';

import type { Logger } from '@claude-code-mcp/claude-cli-driver';

/** Changes closer together than this are one change. */
const SETTLE_MS = 100;

/**
 * Watches the command folders that exist when it starts (a folder created later is seen after a
 * restart) and calls each listener once per burst of changes.
 *
 * @example
 * ```ts
 * const watcher = new CommandWatcher(['/repo/.claude/commands'], logger);
 * const stop = watcher.onChange(() => void server.server.sendPromptListChanged());
 * ```
 */
export class CommandWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #listeners = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;

  constructor(folders: readonly string[], logger: Logger) {
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { recursive: true, persistent: false }, () => this.#changed());
        watcher.on('error', (error) => logger.warn({ err: error, folder }, 'stopped watching a command folder'));
        this.#watchers.push(watcher);
      } catch {
        // Not there (or not readable): nothing to watch.
      }
    }
  }

  /** Adds a listener; the returned function removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.splice(0)) watcher.close();
    this.#listeners.clear();
  }

  #changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      for (const listener of this.#listeners) listener();
    }, SETTLE_MS);
    this.#timer.unref();
  }
}
