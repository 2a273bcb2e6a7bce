import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

import { ClaudeCliError } from './errors.js';

/** The oldest CLI whose stream-json and control protocol this driver speaks. */
export const MINIMUM_CLI_VERSION = '2.1.0';

/** Where a binary was found; see {@link resolveClaudeBinary}. */
export type ClaudeBinarySource = 'option' | 'CLAUDE_CODE_PATH' | 'PATH' | 'package';

/** A resolved `claude` executable. */
export interface ResolvedClaudeBinary {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Which rule found it. */
  readonly source: ClaudeBinarySource;
}

/** Options of {@link resolveClaudeBinary}. */
export interface ResolveClaudeBinaryOptions {
  /** An explicit path; wins over everything else. */
  executable?: string | undefined;
  /** The environment to read `CLAUDE_CODE_PATH` and `PATH` from. Default: none (skip those rules). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Folders from which to look for an installed `@anthropic-ai/claude-code`. Default: this package's. */
  searchFrom?: readonly string[] | undefined;
}

const INSTALL_HINT =
  'Install Claude Code with `npm install -g @anthropic-ai/claude-code` (or add it to your project), ' +
  'or set CLAUDE_CODE_PATH to the `claude` executable.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The npm package that carries the native binary for this machine. */
export function platformPackageName(): string {
  const { platform, arch } = process;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const musl = platform === 'linux' && report?.header !== undefined && report.header.glibcVersionRuntime === undefined;
  return `@anthropic-ai/claude-code-${platform}-${arch}${musl ? '-musl' : ''}`;
}

function fromInstalledPackage(searchFrom: readonly string[]): string | undefined {
  const binaryName = process.platform === 'win32' ? 'claude.exe' : 'claude';
  for (const base of searchFrom) {
    try {
      const requireFromBase = createRequire(join(base, 'noop.js'));
      // The platform package is a dependency of the main package, so resolve it from there:
      // pnpm and other isolated layouts do not hoist it next to the caller.
      const mainManifest = requireFromBase.resolve('@anthropic-ai/claude-code/package.json');
      const requireFromMain = createRequire(mainManifest);
      const platformManifest = requireFromMain.resolve(`${platformPackageName()}/package.json`);
      const candidate = join(dirname(platformManifest), binaryName);
      if (isExecutableFile(candidate)) return candidate;
    } catch {
      // Not installed below this folder; try the next one.
    }
  }
  return undefined;
}

function fromPath(pathVariable: string | undefined): string | undefined {
  if (!pathVariable) return undefined;
  const names = process.platform === 'win32' ? ['claude.exe', 'claude.cmd'] : ['claude'];
  for (const folder of pathVariable.split(delimiter)) {
    if (!folder) continue;
    for (const name of names) {
      const candidate = join(folder, name);
      // npm's placeholder `claude.exe` (postinstall skipped) is a tiny script that only prints a hint.
      if (isExecutableFile(candidate) && statSync(candidate).size > 4096) return candidate;
    }
  }
  return undefined;
}

/**
 * Finds the `claude` executable: the explicit option, then `CLAUDE_CODE_PATH`, then `claude` on
 * `PATH`, then the native binary of an installed `@anthropic-ai/claude-code` platform package.
 *
 * @throws {@link ClaudeCliError} `CLAUDE_CLI_NOT_FOUND` with installation advice.
 * @example
 * ```ts
 * const { path, source } = resolveClaudeBinary({ env: process.env });
 * ```
 */
export function resolveClaudeBinary(options: ResolveClaudeBinaryOptions = {}): ResolvedClaudeBinary {
  const { executable, env = {} } = options;
  if (executable !== undefined) {
    if (!isAbsolute(executable) || !isExecutableFile(executable)) {
      throw new ClaudeCliError(
        'CLAUDE_CLI_NOT_FOUND',
        `The Claude Code executable "${executable}" is not an absolute path to an executable file. ${INSTALL_HINT}`,
      );
    }
    return { path: executable, source: 'option' };
  }
  const configured = env['CLAUDE_CODE_PATH'];
  if (configured) {
    if (!isAbsolute(configured) || !isExecutableFile(configured)) {
      throw new ClaudeCliError(
        'CLAUDE_CLI_NOT_FOUND',
        `CLAUDE_CODE_PATH="${configured}" is not an absolute path to an executable file. Point it at the \`claude\` binary or unset it.`,
      );
    }
    return { path: configured, source: 'CLAUDE_CODE_PATH' };
  }
  const onPath = fromPath(env['PATH']);
  if (onPath) return { path: onPath, source: 'PATH' };
  const searchFrom = options.searchFrom ?? [dirname(new URL(import.meta.url).pathname), process.cwd()];
  const packaged = fromInstalledPackage(searchFrom);
  if (packaged) return { path: packaged, source: 'package' };
  throw new ClaudeCliError('CLAUDE_CLI_NOT_FOUND', `Claude Code (\`claude\`) was not found. ${INSTALL_HINT}`);
}

/** Compares dotted numeric versions; negative when `a < b`. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const versionCache = new Map<string, Promise<string>>();

/**
 * Runs `claude --version` and checks it against {@link MINIMUM_CLI_VERSION}. Cached per path.
 *
 * @throws {@link ClaudeCliError} `CLAUDE_CLI_VERSION_UNSUPPORTED` or `CLAUDE_CLI_SPAWN_FAILED`.
 * @example
 * ```ts
 * const version = await detectClaudeVersion(resolveClaudeBinary().path); // '2.1.332'
 * ```
 */
export function detectClaudeVersion(executable: string): Promise<string> {
  let pending = versionCache.get(executable);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      execFile(executable, ['--version'], { timeout: 15_000 }, (error, stdout) => {
        if (error) {
          reject(
            new ClaudeCliError('CLAUDE_CLI_SPAWN_FAILED', `Could not run "${executable} --version": ${error.message}`, {
              cause: error,
            }),
          );
          return;
        }
        const match = /(\d+\.\d+\.\d+)/.exec(stdout);
        if (!match?.[1]) {
          reject(
            new ClaudeCliError(
              'CLAUDE_CLI_VERSION_UNSUPPORTED',
              `"${executable} --version" printed no version (${JSON.stringify(stdout.slice(0, 200))}); is it Claude Code?`,
            ),
          );
          return;
        }
        const version = match[1];
        if (compareVersions(version, MINIMUM_CLI_VERSION) < 0) {
          reject(
            new ClaudeCliError(
              'CLAUDE_CLI_VERSION_UNSUPPORTED',
              `Claude Code ${version} is too old; this driver needs ${MINIMUM_CLI_VERSION} or newer. Run \`npm install -g @anthropic-ai/claude-code@latest\`.`,
            ),
          );
          return;
        }
        resolve(version);
      });
    });
    versionCache.set(executable, pending);
    pending.catch(() => versionCache.delete(executable));
  }
  return pending;
}
