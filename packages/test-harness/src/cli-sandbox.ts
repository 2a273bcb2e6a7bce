/**
 * A throw-away environment for running the real `claude` binary against the mock.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Package that ships the CLI wrapper; the native binary lives in a per-platform package.
 *
 * @example
 * createRequire(import.meta.url).resolve(`${CLAUDE_CODE_PACKAGE}/package.json`);
 */
export const CLAUDE_CODE_PACKAGE = '@anthropic-ai/claude-code';

/**
 * The dummy key the sandbox passes as `ANTHROPIC_API_KEY`.
 *
 * @example
 * expect(server.requests[0]?.headers['x-api-key']).toBe(SANDBOX_API_KEY);
 */
export const SANDBOX_API_KEY = 'sk-ant-test-dummy';

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report !== undefined && report.header?.glibcVersionRuntime === undefined;
}

/**
 * The name of the platform package for this machine, e.g. `@anthropic-ai/claude-code-linux-x64`.
 *
 * @example
 * claudePlatformPackage(); // '@anthropic-ai/claude-code-linux-x64'
 */
export function claudePlatformPackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const musl = platform === 'linux' && platform === process.platform && isMusl() ? '-musl' : '';
  return `${CLAUDE_CODE_PACKAGE}-${platform}-${arch}${musl}`;
}

/**
 * Path of the native `claude` binary installed with this package's `@anthropic-ai/claude-code`
 * dependency (its platform package, not the `bin/claude.exe` placeholder). Throws when missing.
 *
 * @example
 * spawn(resolveTestClaudeBinary(), ['--version']);
 */
export function resolveTestClaudeBinary(): string {
  const here = createRequire(import.meta.url);
  let wrapperManifest: string;
  try {
    wrapperManifest = here.resolve(`${CLAUDE_CODE_PACKAGE}/package.json`);
  } catch (error) {
    throw new Error(
      `resolveTestClaudeBinary: cannot resolve ${CLAUDE_CODE_PACKAGE} from @claude-code-mcp/test-harness; is it installed? (${String(error)})`,
      { cause: error },
    );
  }
  const platformPackage = claudePlatformPackage();
  const fromWrapper = createRequire(wrapperManifest);
  let platformManifest: string;
  try {
    platformManifest = fromWrapper.resolve(`${platformPackage}/package.json`);
  } catch (error) {
    let version = 'unknown';
    try {
      version = (JSON.parse(readFileSync(wrapperManifest, 'utf8')) as { version?: string }).version ?? version;
    } catch {
      // keep 'unknown'
    }
    throw new Error(
      `resolveTestClaudeBinary: the native Claude Code binary package ${platformPackage} (for ${CLAUDE_CODE_PACKAGE}@${version}) is not installed; ` +
        `this platform may be unsupported or optional dependencies were omitted (${String(error)})`,
      { cause: error },
    );
  }
  const binary = join(dirname(platformManifest), process.platform === 'win32' ? 'claude.exe' : 'claude');
  if (!existsSync(binary)) {
    throw new Error(`resolveTestClaudeBinary: ${platformPackage} is installed but has no binary at ${binary}`);
  }
  if (process.platform !== 'win32') {
    try {
      accessSync(binary, fsConstants.X_OK);
    } catch {
      throw new Error(`resolveTestClaudeBinary: ${binary} is not executable`);
    }
  }
  return binary;
}

/**
 * Options of {@link createCliSandbox}.
 *
 * @example
 * await createCliSandbox({ mock: server, env: { CLAUDE_CODE_MAX_RETRIES: '0' } });
 */
export interface CliSandboxOptions {
  /** The mock (or anything with a `url`), or a base URL string. */
  mock: { readonly url: string } | string;
  /** Extra variables, or overrides of the defaults; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /**
   * Give the CLI its own `TMPDIR` inside the sandbox (default true), so its scratch files
   * (`$TMPDIR/claude-<uid>/…`, `cc-socks`) are removed by `cleanup()`. When false, the
   * parent's `TMPDIR` is passed on if it is set.
   */
  isolateTmpDir?: boolean;
  /**
   * Write `<configDir>/.claude.json` marking onboarding done and the cwd as a trusted workspace.
   * Not needed for `-p` (default false); useful for features that check workspace trust.
   */
  trustWorkspace?: boolean;
  /** Prefix of the temp directory name (default `cc-harness-`). */
  prefix?: string;
}

/**
 * A sandbox for one or more CLI runs.
 *
 * @example
 * const sandbox: CliSandbox = await createCliSandbox({ mock: server });
 * writeFileSync(join(sandbox.cwd, 'input.txt'), 'data');
 */
export interface CliSandbox {
  /** The temp directory holding everything below. */
  readonly root: string;
  /** `HOME` of the CLI. */
  readonly home: string;
  /** `CLAUDE_CONFIG_DIR` (`<home>/.claude`): transcripts, `.claude.json`, settings. */
  readonly configDir: string;
  /** A fresh, realpath'd working directory for the CLI. */
  readonly cwd: string;
  /** The CLI's `TMPDIR` when isolated, else `undefined`. */
  readonly tmpDir: string | undefined;
  /** The complete environment to spawn the CLI with. */
  readonly env: Record<string, string>;
  /** The native binary ({@link resolveTestClaudeBinary}). */
  readonly claudePath: string;
  /** Remove the sandbox (idempotent). */
  cleanup(): Promise<void>;
}

/**
 * Create a fresh HOME, config dir, cwd and environment pointing the CLI at the mock.
 *
 * @example
 * const sandbox = await createCliSandbox({ mock: server });
 * spawn(sandbox.claudePath, ['-p', '--output-format', 'stream-json', '--verbose'], { cwd: sandbox.cwd, env: sandbox.env });
 * await sandbox.cleanup();
 */
export async function createCliSandbox(options: CliSandboxOptions): Promise<CliSandbox> {
  const claudePath = resolveTestClaudeBinary();
  const root = await realpath(await mkdtemp(join(tmpdir(), options.prefix ?? 'cc-harness-')));
  try {
    const home = join(root, 'home');
    const configDir = join(home, '.claude');
    const cwd = join(root, 'work');
    await mkdir(configDir, { recursive: true });
    await mkdir(cwd, { recursive: true });
    let tmpDir: string | undefined;
    if (options.isolateTmpDir ?? true) {
      tmpDir = join(root, 'tmp');
      await mkdir(tmpDir, { recursive: true });
    }

    if (options.trustWorkspace === true) {
      const state = {
        hasCompletedOnboarding: true,
        projects: { [cwd]: { hasTrustDialogAccepted: true } },
      };
      await writeFile(join(configDir, '.claude.json'), `${JSON.stringify(state, null, 2)}\n`);
    }

    const baseUrl = typeof options.mock === 'string' ? options.mock : options.mock.url;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      CLAUDE_CONFIG_DIR: configDir,
      ANTHROPIC_BASE_URL: baseUrl,
      ANTHROPIC_API_KEY: SANDBOX_API_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '1',
    };
    if (tmpDir !== undefined) env['TMPDIR'] = tmpDir;
    else if (process.env['TMPDIR'] !== undefined) env['TMPDIR'] = process.env['TMPDIR'];
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }

    let cleaned: Promise<void> | undefined;
    return {
      root,
      home,
      configDir,
      cwd,
      tmpDir,
      env,
      claudePath,
      cleanup: () => (cleaned ??= rm(root, { recursive: true, force: true, maxRetries: 3 })),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Whether a process exists (a zombie counts as gone on Linux).
 *
 * @example
 * expect(isProcessAlive(child.pid!)).toBe(false);
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Options of {@link runClaude}.
 *
 * @example
 * await runClaude(sandbox, { args: ['-p', '--output-format', 'stream-json', '--verbose', '--allowedTools', 'Bash'], stdin: 'go' });
 */
export interface RunClaudeOptions {
  /** CLI arguments, e.g. `['-p', '--output-format', 'stream-json', '--verbose']`. */
  args: readonly string[];
  /** Written to stdin, which is then closed (default: nothing, stdin closed). */
  stdin?: string;
  /** SIGKILL the CLI after this long (default 30 000 ms); `timedOut` is then true. */
  timeoutMs?: number;
  /** Default `sandbox.cwd`. */
  cwd?: string;
  /** Extra variables on top of `sandbox.env`. */
  env?: Record<string, string>;
}

/**
 * Outcome of {@link runClaude}.
 *
 * @example
 * const { exitCode, result, messages } = await runClaude(sandbox, { args, stdin: 'hi' });
 */
export interface RunClaudeResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every stdout line that parsed as JSON (stream-json output). */
  messages: Record<string, unknown>[];
  /** The last `type: "result"` message, if any. */
  result: Record<string, unknown> | undefined;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Run the CLI once in a sandbox and collect its output.
 *
 * @example
 * const run = await runClaude(sandbox, { args: ['-p', '--output-format', 'stream-json', '--verbose'], stdin: 'hi' });
 * expect(run.result?.['result']).toBe('Hello!');
 */
export function runClaude(sandbox: CliSandbox, options: RunClaudeOptions): Promise<RunClaudeResult> {
  const started = Date.now();
  return new Promise<RunClaudeResult>((resolve, reject) => {
    const child = spawn(sandbox.claudePath, [...options.args], {
      cwd: options.cwd ?? sandbox.cwd,
      env: { ...sandbox.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      const messages: Record<string, unknown>[] = [];
      for (const line of stdout.split('\n')) {
        const trimmed = line.trim();
        if (!trimmed.startsWith('{')) continue;
        try {
          messages.push(JSON.parse(trimmed) as Record<string, unknown>);
        } catch {
          // not JSON: ignore
        }
      }
      const result = messages.filter((m) => m['type'] === 'result').at(-1);
      resolve({ exitCode, signal, stdout, stderr, messages, result, timedOut, durationMs: Date.now() - started });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
