// Internal: runs the system `git` for the checkpoint shadow repositories. Never through a shell;
// always with an explicit --git-dir (and --work-tree when a work tree is involved), an environment
// without the caller's GIT_* variables, no system or global config, and a fixed identity.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { devNull } from 'node:os';

import { McpToolsError } from '../errors.js';

/** Identity written into every checkpoint commit, so the user's own identity is never needed. */
const IDENTITY = Object.freeze({
  GIT_AUTHOR_NAME: 'claude-code-mcp checkpoints',
  GIT_AUTHOR_EMAIL: 'checkpoints@claude-code-mcp.invalid',
  GIT_COMMITTER_NAME: 'claude-code-mcp checkpoints',
  GIT_COMMITTER_EMAIL: 'checkpoints@claude-code-mcp.invalid',
});

/** Most stdout a git call may buffer (listings of huge trees); the size limits stop far earlier. */
const MAX_BUFFERED_STDOUT = 256 * 1024 * 1024;

/**
 * The environment of every git call: the server's environment without any `GIT_*` variable (a
 * stray `GIT_DIR` or `GIT_INDEX_FILE` would point git at the user's repository), plus no system or
 * global config, no prompts, no pager, C locale messages and the fixed identity. `HOME` is kept.
 */
export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !key.toUpperCase().startsWith('GIT_')) env[key] = value;
  }
  // glibc's malloc gives memory back to the kernel after every file git hashes and takes it again
  // for the next (zlib's buffers); on some virtual machines that doubles the time of a capture.
  // Keep some headroom instead (only when the server's environment does not tune it already).
  env['MALLOC_TRIM_THRESHOLD_'] ??= String(16 * 1024 * 1024);
  env['MALLOC_TOP_PAD_'] ??= String(4 * 1024 * 1024);
  return Object.assign(env, IDENTITY, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_PAGER: 'cat',
    LC_ALL: 'C',
  });
}

/** One git invocation. */
export interface GitCall {
  /** Absolute path of the shadow repository. */
  gitDir: string;
  /** Absolute work tree; also the process's cwd, so paths are relative to it. */
  workTree?: string;
  /** Arguments after `--git-dir`/`--work-tree`. Never user text that could be read as an option. */
  args: readonly string[];
  /** Written to stdin, then stdin is closed. */
  input?: Buffer | string;
  /** Exit codes that count as success; `[0]` unless given. */
  okCodes?: readonly number[];
  /** Keep at most this many bytes of stdout (the rest is counted, not kept). */
  stdoutLimit?: number;
  /** Sees each stdout chunk; returning `false` stops git (the result then has `stopped: true`). */
  onStdout?: (chunk: Buffer) => boolean;
  /** Extra environment variables (such as `GIT_INDEX_FILE` or commit dates). */
  env?: Readonly<Record<string, string>>;
}

/** What a git call produced. */
export interface GitResult {
  /** Captured stdout (empty when `onStdout` consumed it; cut at `stdoutLimit`). */
  stdout: Buffer;
  /** Bytes git wrote to stdout, captured or not. */
  stdoutBytes: number;
  stderr: string;
  code: number;
  /** `true` when `onStdout` stopped git early. */
  stopped: boolean;
}

/** Runs git calls with one binary, environment and timeout. */
export interface GitRunner {
  run(call: GitCall): Promise<GitResult>;
}

// What a git call has printed so far; stdout is kept up to a limit, or streamed to `onStdout`.
interface GitOutput {
  readonly kept: Buffer[];
  keptBytes: number;
  stdoutBytes: number;
  stderr: string;
  stopped: boolean;
  overflow: boolean;
}

function collectOutput(child: ChildProcessWithoutNullStreams, call: GitCall): GitOutput {
  const output: GitOutput = { kept: [], keptBytes: 0, stdoutBytes: 0, stderr: '', stopped: false, overflow: false };
  const limit = call.stdoutLimit ?? MAX_BUFFERED_STDOUT;
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdoutBytes += chunk.length;
    if (output.stopped) return;
    if (call.onStdout !== undefined) {
      if (!call.onStdout(chunk)) {
        output.stopped = true;
        child.kill('SIGKILL');
      }
      return;
    }
    if (output.keptBytes < limit) {
      const part = chunk.length <= limit - output.keptBytes ? chunk : chunk.subarray(0, limit - output.keptBytes);
      output.kept.push(part);
      output.keptBytes += part.length;
    } else if (call.stdoutLimit === undefined && !output.overflow) {
      output.overflow = true;
      child.kill('SIGKILL');
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (output.stderr.length < 64 * 1024) output.stderr += chunk;
  });
  return output;
}

// Why a finished git call failed, or undefined when it did not.
function closeFailure(call: GitCall, subcommand: string, result: GitResult, output: GitOutput, signal: NodeJS.Signals | null, timeoutMs: number): McpToolsError | undefined {
  if (output.stopped) return undefined;
  if (output.overflow) {
    return new McpToolsError('MCP_TOOLS_GIT_FAILED', `git ${subcommand} printed more than ${MAX_BUFFERED_STDOUT} bytes; the working directory is far too large to checkpoint.`);
  }
  if (signal !== null) {
    return new McpToolsError(
      'MCP_TOOLS_GIT_FAILED',
      `git ${subcommand} was stopped (${signal}) after ${timeoutMs} ms or by another process; the working directory may be too large or on a slow disk. Nothing was recorded; retry, or ignore large folders in .gitignore.`,
    );
  }
  return (call.okCodes ?? [0]).includes(result.code) ? undefined : gitFailure(subcommand, result);
}

function spawnFailure(binary: string, subcommand: string, error: NodeJS.ErrnoException): McpToolsError {
  return new McpToolsError(
    'MCP_TOOLS_GIT_FAILED',
    error.code === 'ENOENT'
      ? `Checkpoints need git, but the git binary "${binary}" was not found; install git or pass the path of its binary as the \`git\` option.`
      : `Could not run git ${subcommand} for checkpoints: ${error.message}.`,
    { cause: error },
  );
}

function runGit(binary: string, env: NodeJS.ProcessEnv, timeoutMs: number, call: GitCall): Promise<GitResult> {
  const argv = [`--git-dir=${call.gitDir}`, ...(call.workTree === undefined ? [] : [`--work-tree=${call.workTree}`]), ...call.args];
  const subcommand = subcommandOf(call.args);
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawn(binary, argv, {
      cwd: call.workTree ?? call.gitDir,
      env: call.env === undefined ? env : { ...env, ...call.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const output = collectOutput(child, call);
    child.stdin.on('error', () => undefined); // git may exit before reading all of stdin
    child.on('error', (error: NodeJS.ErrnoException) => reject(spawnFailure(binary, subcommand, error)));
    child.on('close', (code, signal) => {
      const result: GitResult = { stdout: Buffer.concat(output.kept), stdoutBytes: output.stdoutBytes, stderr: output.stderr, code: code ?? -1, stopped: output.stopped };
      const failure = closeFailure(call, subcommand, result, output, signal, timeoutMs);
      if (failure) reject(failure);
      else resolve(result);
    });
    if (call.input !== undefined) child.stdin.end(call.input);
    else child.stdin.end();
  });
}

/** Creates a {@link GitRunner}; `binary` is a command name looked up on PATH or an absolute path. */
export function createGitRunner(binary: string, timeoutMs: number): GitRunner {
  const env = gitEnvironment();
  return { run: (call) => runGit(binary, env, timeoutMs, call) };
}

/** The git subcommand in `args` (after global options such as `-c name=value`), for messages. */
function subcommandOf(args: readonly string[]): string {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '-c') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** The error for a git call that exited with an unexpected code; the message quotes git's stderr. */
export function gitFailure(subcommand: string, result: GitResult): McpToolsError {
  const lines = result.stderr.trim().split('\n').filter((line) => line.trim() !== '');
  const errors = lines.filter((line) => /^(fatal|error):/.test(line));
  const said = (errors.length > 0 ? errors : lines).slice(-6).join(' / ').slice(-600);
  const error = new McpToolsError(
    'MCP_TOOLS_GIT_FAILED',
    `git ${subcommand} failed for a checkpoint (exit ${result.code})${said === '' ? '' : `: ${said}`}.${hint(result.stderr)}`,
  );
  Object.defineProperty(error, 'gitStderr', { value: result.stderr });
  return error;
}

function hint(stderr: string): string {
  if (/index\.lock.*File exists/i.test(stderr)) {
    return ' Another process is using the checkpoint repository of this directory; retry in a moment.';
  }
  if (/Permission denied/i.test(stderr)) {
    return ' Fix the permissions of that file or folder, or add it to .gitignore so checkpoints skip it.';
  }
  if (/No space left/i.test(stderr)) return ' The disk is full; free some space.';
  return '';
}

/** `true` when `error` is a git failure caused by another process's `index.lock`. */
export function isIndexLockError(error: unknown): boolean {
  if (!McpToolsError.isInstance(error) || error.code !== 'MCP_TOOLS_GIT_FAILED') return false;
  const stderr = (error as { gitStderr?: unknown }).gitStderr;
  return typeof stderr === 'string' && /index\.lock.*File exists/i.test(stderr);
}

/** Splits NUL-terminated git output (`-z`) into its records. */
export function splitNul(output: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  for (let end = output.indexOf(0, start); end !== -1; end = output.indexOf(0, start)) {
    records.push(output.subarray(start, end));
    start = end + 1;
  }
  if (start < output.length) records.push(output.subarray(start));
  return records;
}

/**
 * Collects NUL-terminated records from a stream of chunks; `add` returns `false` once more than
 * `stopAfter` records were seen (to stop git early).
 */
export function createNulCollector(stopAfter = Number.POSITIVE_INFINITY): {
  add(chunk: Buffer): boolean;
  finish(): Buffer[];
} {
  const records: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  return {
    add(chunk) {
      const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let end = data.indexOf(0, start); end !== -1; end = data.indexOf(0, start)) {
        records.push(Buffer.from(data.subarray(start, end)));
        start = end + 1;
      }
      pending = Buffer.from(data.subarray(start));
      return records.length <= stopAfter;
    },
    finish() {
      if (pending.length > 0) records.push(pending);
      pending = Buffer.alloc(0);
      return records;
    },
  };
}
