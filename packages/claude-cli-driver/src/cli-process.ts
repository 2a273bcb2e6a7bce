import { spawn as nodeSpawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import { ClaudeCliError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import type { Logger } from './logger.js';
import { parseStreamLine, type ClaudeMessage, type ControlRequestMessage } from './messages.js';
import { isAlive, killSnapshot, listDescendants, type ProcessEntry } from './process-tree.js';

/** The `spawn` signature the driver needs; inject your own in tests. */
export type SpawnFunction = (
  command: string,
  args: readonly string[],
  options: { cwd?: string | undefined; env: NodeJS.ProcessEnv; stdio: ['pipe', 'pipe', 'pipe'] },
) => ChildProcessWithoutNullStreams;

/** How a CLI process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** @internal */
export interface CliProcessOptions {
  readonly executable: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly spawn: SpawnFunction | undefined;
  readonly maxLineBytes: number;
  readonly controlTimeoutMs: number;
  readonly killGraceMs: number;
  readonly onMessage: (message: ClaudeMessage) => void;
  readonly onMalformed: (raw: string, reason: string) => void;
  readonly onControlRequest: (request: ControlRequestMessage['request'], signal: AbortSignal) => Promise<Record<string, unknown>>;
  readonly onExit: (info: ExitInfo) => void;
}

interface PendingRequest {
  resolve: (response: Record<string, unknown>) => void;
  reject: (error: ClaudeCliError) => void;
  timer: NodeJS.Timeout;
  subtype: string;
}

const STDERR_TAIL_BYTES = 8 * 1024;

// Processes still running when this Node process exits are stopped: nothing outlives its parent.
const liveProcesses = new Set<CliProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cli of liveProcesses) cli.killNowSync();
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * One running `claude` process speaking stream-json on stdin/stdout: line parsing, the control
 * protocol in both directions, stderr capture and staged termination.
 *
 * @internal
 */
export class CliProcess {
  readonly #options: CliProcessOptions;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<string, PendingRequest>();
  readonly #incoming = new Map<string, AbortController>();
  readonly #splitter: LineSplitter;
  readonly #snapshot = new Map<number, ProcessEntry>();
  #stderrTail = '';
  #exitInfo: ExitInfo | undefined;
  #inputClosed = false;
  #terminating: Promise<void> | undefined;
  /** Resolves when the process has exited and its output has been read. */
  readonly exited: Promise<ExitInfo>;

  constructor(options: CliProcessOptions) {
    this.#options = options;
    this.#splitter = new LineSplitter(options.maxLineBytes);
    const spawn: SpawnFunction = options.spawn ?? nodeSpawn;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(options.executable, options.args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      throw new ClaudeCliError('CLAUDE_CLI_SPAWN_FAILED', `Could not start ${options.executable}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#child = child;
    let resolveExited: (info: ExitInfo) => void = () => {};
    this.exited = new Promise((resolve) => {
      resolveExited = resolve;
    });

    child.stdout.on('data', (chunk: Buffer) => this.#onLines(this.#splitter.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // A write after the CLI exited (EPIPE) is reported through exit handling, not thrown.
    child.stdin.on('error', (error) => options.logger.debug({ err: error }, 'claude stdin closed'));
    child.on('error', (error) => {
      options.logger.error({ err: error }, 'claude process error');
      this.#stderrTail += `\n[spawn error] ${error.message}`;
    });
    child.on('close', (code, signal) => {
      this.#onLines(this.#splitter.end());
      this.#exitInfo = { code, signal };
      liveProcesses.delete(this);
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(
          new ClaudeCliError('CLAUDE_CLI_SESSION_CLOSED', `Claude Code exited before answering "${pending.subtype}".`, {
            details: { exitCode: code, exitSignal: signal, stderrTail: this.#stderrTail },
          }),
        );
        this.#pending.delete(id);
      }
      for (const controller of this.#incoming.values()) controller.abort();
      this.#incoming.clear();
      options.logger.debug({ code, signal }, 'claude exited');
      options.onExit(this.#exitInfo);
      resolveExited(this.#exitInfo);
    });
    liveProcesses.add(this);
    installExitHook();
  }

  /** The process id (undefined if spawning failed). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The last few KiB of stderr. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  /** How the process ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  /** Writes one NDJSON line to stdin; false when the input is already closed. */
  write(message: Record<string, unknown>): boolean {
    if (this.#inputClosed || this.#exitInfo || !this.#child.stdin.writable) return false;
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
    return true;
  }

  /** Sends a control request and waits for its answer. */
  request(request: Record<string, unknown> & { subtype: string }, timeoutMs?: number): Promise<Record<string, unknown>> {
    const requestId = `req_${randomUUID()}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(
          new ClaudeCliError(
            'CLAUDE_CLI_CONTROL_TIMEOUT',
            `Claude Code did not answer "${request.subtype}" within ${timeoutMs ?? this.#options.controlTimeoutMs} ms.`,
          ),
        );
      }, timeoutMs ?? this.#options.controlTimeoutMs);
      timer.unref();
      this.#pending.set(requestId, { resolve, reject, timer, subtype: request.subtype });
      if (!this.write({ type: 'control_request', request_id: requestId, request })) {
        clearTimeout(timer);
        this.#pending.delete(requestId);
        reject(new ClaudeCliError('CLAUDE_CLI_SESSION_CLOSED', `Cannot send "${request.subtype}": the Claude Code process has ended.`));
      }
    });
  }

  /** Closes stdin: the CLI finishes the current turn and exits. */
  closeInput(): void {
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    this.#child.stdin.end();
  }

  /** Remembers the current descendants so that they can be swept if they outlive the CLI. */
  rememberDescendants(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#exitInfo) return;
    for (const entry of listDescendants(pid)) this.#snapshot.set(entry.pid, entry);
  }

  /** Kills every remembered descendant that is still alive. */
  sweepDescendants(): number {
    const survivors = [...this.#snapshot.values()].filter((entry) => isAlive(entry));
    this.#snapshot.clear();
    if (survivors.length > 0) this.#options.logger.warn({ pids: survivors.map((entry) => entry.pid) }, 'killing leftover tool processes');
    return killSnapshot(survivors);
  }

  /**
   * Kills remembered descendants that are alive but no longer below the CLI: tool processes an
   * interrupted turn left orphaned. The CLI's own live children are left alone.
   */
  sweepOrphans(): number {
    const pid = this.#child.pid;
    const current = new Set(pid === undefined || this.#exitInfo ? [] : listDescendants(pid).map((entry) => entry.pid));
    const orphans = [...this.#snapshot.values()].filter((entry) => !current.has(entry.pid) && isAlive(entry));
    this.#snapshot.clear();
    if (orphans.length > 0) this.#options.logger.warn({ pids: orphans.map((entry) => entry.pid) }, 'killing orphaned tool processes');
    return killSnapshot(orphans);
  }

  /**
   * Stops the process in stages: SIGINT, then SIGTERM, then SIGKILL, each after a grace period,
   * then sweeps tool processes that outlived it (a forced kill orphans the Bash tool's children).
   */
  terminate(): Promise<void> {
    this.#terminating ??= this.#terminate();
    return this.#terminating;
  }

  async #terminate(): Promise<void> {
    const grace = this.#options.killGraceMs;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      if (this.#exitInfo) break;
      this.rememberDescendants();
      this.#options.logger.debug({ signal, pid: this.pid }, 'stopping claude');
      try {
        this.#child.kill(signal);
      } catch {
        // Already gone.
      }
      await Promise.race([this.exited, delay(signal === 'SIGKILL' ? 5_000 : grace)]);
    }
    this.sweepDescendants();
  }

  /** For the exit hook: stop everything synchronously. */
  killNowSync(): void {
    if (this.#exitInfo) return;
    this.rememberDescendants();
    killSnapshot([...this.#snapshot.values()]);
    try {
      this.#child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }

  #onLines(lines: ReturnType<LineSplitter['push']>): void {
    for (const line of lines) {
      if (line.kind === 'oversized') {
        this.#options.onMalformed(line.preview, `line of ${line.bytes} bytes exceeds maxLineBytes (${this.#options.maxLineBytes})`);
        continue;
      }
      const parsed = parseStreamLine(line.text);
      if (parsed.kind === 'malformed') {
        this.#options.onMalformed(parsed.raw, parsed.reason);
      } else if (parsed.kind === 'message') {
        this.#options.onMessage(parsed.message);
      } else {
        this.#onControl(parsed.message);
      }
    }
  }

  #onControl(message: Extract<ReturnType<typeof parseStreamLine>, { kind: 'control' }>['message']): void {
    switch (message.type) {
      case 'control_response': {
        const pending = this.#pending.get(message.response.request_id);
        if (!pending) return;
        this.#pending.delete(message.response.request_id);
        clearTimeout(pending.timer);
        if (message.response.subtype === 'success') pending.resolve(message.response.response ?? {});
        else
          pending.reject(
            new ClaudeCliError('CLAUDE_CLI_CONTROL_ERROR', `Claude Code refused "${pending.subtype}": ${message.response.error ?? 'unknown error'}`),
          );
        return;
      }
      case 'control_cancel_request':
        this.#incoming.get(message.request_id)?.abort();
        this.#incoming.delete(message.request_id);
        return;
      case 'control_request': {
        const controller = new AbortController();
        this.#incoming.set(message.request_id, controller);
        this.#options.onControlRequest(message.request, controller.signal).then(
          (response) => {
            if (!this.#incoming.delete(message.request_id)) return;
            this.write({ type: 'control_response', response: { subtype: 'success', request_id: message.request_id, response } });
          },
          (error: unknown) => {
            if (!this.#incoming.delete(message.request_id)) return;
            this.write({
              type: 'control_response',
              response: { subtype: 'error', request_id: message.request_id, error: error instanceof Error ? error.message : String(error) },
            });
          },
        );
        return;
      }
    }
  }
}
