// The project's toolchain for `npm start` and `npm test`, on any machine with Node >= 18 and npm:
// Node (the machine's when it is >= 22.13, else the version in .node-version, installed into
// .toolchain/ from the npm registry's `node-linux-*` package), the pnpm pinned in package.json,
// the dependencies from the frozen lockfile and the build. Each step is skipped when its result
// is already there, so a second run starts in well under a second.
//
// Written for old Node on purpose: no syntax or API newer than Node 18. Everything it prints goes
// to stderr (stdout belongs to the stdio server it may start).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const TOOLCHAIN = join(REPO_ROOT, '.toolchain');
/** Stable names for the chosen node and pnpm: what printed client configs and the README point at. */
export const TOOLCHAIN_BIN = join(TOOLCHAIN, 'bin');
// The clone's own Claude Code, for logging in when there is no `claude` of one's own. Not in bin/:
// the servers prefer a `claude` on PATH, and bin/ comes first there.
export const CLAUDE_LINK = join(TOOLCHAIN, 'claude');
// The servers' own bound (packages/server-config/src/node-version.ts), which this script cannot
// import: it runs before anything is installed.
const REQUIRED = { major: 22, minor: 13 };
const INSTALL_STAMP = join(REPO_ROOT, 'node_modules', '.claude-code-mcp-install-stamp');

/** Thrown for a step that failed; its message is one line for the user. */
export class ToolchainError extends Error {}

/** Writes one line to stderr, prefixed like every line this script prints. */
export function say(message) {
  process.stderr.write(`claude-code-mcp: ${message}\n`);
}

/** True for a version string (`22.13.0`) at or above the required Node. */
export function isSupportedNode(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > REQUIRED.major || (major === REQUIRED.major && minor >= REQUIRED.minor);
}

// What npm injects into a script's environment, which must not leak into pnpm (a silent log level
// from this repo's .npmrc), the servers or the Claude Code they start. A user's own npm_config_*
// (proxy, registry, CA) stays.
const NPM_INJECTED = /^(npm_(lifecycle_|package_|command$|execpath$|node_execpath$|config_(user_agent|loglevel|npm_version|local_prefix|node_gyp|nodedir)$)|INIT_CWD$|NODE$)/;

/** The environment for the tools and servers: npm's additions removed, the toolchain first on PATH. */
export function toolchainEnv(nodeBinary, base = process.env) {
  const env = {};
  for (const [key, value] of Object.entries(base)) if (!NPM_INJECTED.test(key)) env[key] = value;
  env.PATH = [TOOLCHAIN_BIN, dirname(nodeBinary), base.PATH ?? ''].join(':');
  // turbo would otherwise print a telemetry notice and an update box on a first run.
  env.TURBO_TELEMETRY_DISABLED = '1';
  env.TURBO_NO_UPDATE_NOTIFIER = '1';
  return env;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2], ...options });
  if (result.error) throw new ToolchainError(`${command} could not be started: ${result.error.message}`);
  return result;
}

function versionOf(nodeBinary) {
  const result = spawnSync(nodeBinary, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

// npm retries a failed fetch itself (twice, with back-off); what still fails is reported.
function npmInstall(prefix, spec) {
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error', '--prefix', prefix, spec];
  if (run('npm', args, { cwd: prefix, env: toolchainEnv(process.execPath) }).status === 0) return;
  throw new ToolchainError(
    `could not install ${spec} from the npm registry (see npm's output above); behind a proxy or a TLS-inspecting firewall, set HTTPS_PROXY and NODE_EXTRA_CA_CERTS (or npm_config_cafile)`,
  );
}

/** Installs `spec` into `.toolchain/<name>` (atomically: a half-finished install is never used). */
function installInto(name, spec) {
  const final = join(TOOLCHAIN, name);
  const staging = join(TOOLCHAIN, `.staging-${name}-${process.pid}`);
  say(`installing ${spec} into ${relative(REPO_ROOT, final)}/ (once)`);
  try {
    npmInstall(staging, spec);
    rmSync(final, { recursive: true, force: true });
    renameSync(staging, final);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return final;
}

function pinnedNodeVersion() {
  const version = readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim();
  if (!/^\d+\.\d+\.\d+$/.test(version) || !isSupportedNode(version)) {
    throw new ToolchainError(`.node-version must name an exact Node >= ${REQUIRED.major}.${REQUIRED.minor} such as 22.23.5 (it reads ${JSON.stringify(version)})`);
  }
  return version;
}

function nodePackageName() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (process.platform !== 'linux' || arch === undefined) return undefined;
  return `node-linux-${arch}`;
}

// The machine's node as PATH names it (/opt/homebrew/bin/node rather than the Cellar folder it
// resolves to), so that a client config pointing at .toolchain/bin/node survives an upgrade.
function machineNode() {
  for (const folder of (process.env.PATH ?? '').split(':')) {
    if (folder === '' || folder.endsWith('/node_modules/.bin')) continue;
    const candidate = join(folder, 'node');
    try {
      if (realpathSync(candidate) === realpathSync(process.execPath)) return candidate;
    } catch {
      // not this folder
    }
  }
  return process.execPath;
}

/** A Node >= 22.13: the one running this script, else the pinned one in .toolchain/ (installed once). */
function ensureNode() {
  if (isSupportedNode(process.versions.node)) return { binary: machineNode(), version: process.versions.node, source: 'this machine' };
  const version = pinnedNodeVersion();
  const packageName = nodePackageName();
  if (packageName === undefined) {
    throw new ToolchainError(
      `needs Node >= ${REQUIRED.major}.${REQUIRED.minor}, found ${process.versions.node}, and cannot install one for ${process.platform}-${process.arch}; install Node ${version} (e.g. \`nvm install ${version}\`) and run this again`,
    );
  }
  const folder = join(TOOLCHAIN, `node-${version}`);
  const binary = join(folder, 'node_modules', packageName, 'bin', 'node');
  if (versionOf(binary) !== version) installInto(`node-${version}`, `${packageName}@${version}`);
  const installed = versionOf(binary);
  if (installed === undefined || !isSupportedNode(installed)) throw new ToolchainError(`the Node installed into ${relative(REPO_ROOT, folder)} does not run (${binary})`);
  return { binary, version: installed, source: relative(REPO_ROOT, folder) };
}

function pinnedPnpmVersion() {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const [name, version] = String(manifest.packageManager).split('@');
  if (name !== 'pnpm' || !/^\d+\.\d+\.\d+$/.test(version ?? '')) throw new ToolchainError('package.json: packageManager must read pnpm@<x.y.z>');
  return version;
}

/** The pinned pnpm's entry script, installed into .toolchain/ once. */
function ensurePnpm() {
  const version = pinnedPnpmVersion();
  const script = join(TOOLCHAIN, `pnpm-${version}`, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  const manifest = join(TOOLCHAIN, `pnpm-${version}`, 'node_modules', 'pnpm', 'package.json');
  const installed = () => (existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined);
  if (!existsSync(script) || installed() !== version) installInto(`pnpm-${version}`, `pnpm@${version}`);
  return { script, version };
}

function link(path, target) {
  let current;
  try {
    current = lstatSync(path).isSymbolicLink() ? readlinkSync(path) : '';
  } catch {
    current = undefined;
  }
  if (current === target) return;
  if (current !== undefined) unlinkSync(path);
  symlinkSync(target, path);
}

/** The Claude Code binary the clone installed (a dev dependency), for `claude` login and the servers. */
export function installedClaudeBinary() {
  try {
    const require = createRequire(join(REPO_ROOT, 'apps', 'stdio-server', 'package.json'));
    const main = require.resolve('@anthropic-ai/claude-code/package.json');
    const platform = createRequire(main).resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`);
    const binary = join(dirname(platform), 'claude');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node and pnpm, installed when missing, linked from .toolchain/bin.
 *
 * @returns {{ node: { binary: string, version: string, source: string }, pnpm: { script: string, version: string }, env: NodeJS.ProcessEnv }}
 */
export function ensureToolchain() {
  const node = ensureNode();
  const pnpm = ensurePnpm();
  mkdirSync(TOOLCHAIN_BIN, { recursive: true });
  link(join(TOOLCHAIN_BIN, 'node'), node.binary);
  link(join(TOOLCHAIN_BIN, 'pnpm'), pnpm.script);
  return { node, pnpm, env: toolchainEnv(node.binary) };
}

// Everything that decides what `pnpm install --frozen-lockfile` puts into node_modules.
function installFingerprint(toolchain) {
  const hash = createHash('sha256').update(`${toolchain.node.version}\0${toolchain.pnpm.version}\0`);
  const manifests = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc'];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(REPO_ROOT, group)).sort()) manifests.push(join(group, name, 'package.json'));
  }
  manifests.push(join('bench', 'package.json'));
  for (const file of manifests) {
    const path = join(REPO_ROOT, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : ''}\0`);
  }
  return hash.digest('hex');
}

/** `pnpm install --frozen-lockfile`, unless nothing it depends on changed since the last one. */
export function ensureDependencies(toolchain) {
  const fingerprint = installFingerprint(toolchain);
  if (!existsSync(INSTALL_STAMP) || readFileSync(INSTALL_STAMP, 'utf8') !== fingerprint) {
    say('installing dependencies (pnpm install --frozen-lockfile)');
    // An install that fails half-way must not look done to the next run.
    rmSync(INSTALL_STAMP, { force: true });
    const install = () => run(toolchain.node.binary, [toolchain.pnpm.script, 'install', '--frozen-lockfile', '--reporter=append-only'], { cwd: REPO_ROOT, env: toolchain.env });
    // pnpm retries each fetch itself; a whole install that still fails (a registry hiccup) gets one more go.
    let result = install();
    if (result.status !== 0) {
      say('pnpm install failed; trying once more');
      result = install();
    }
    if (result.status !== 0) throw new ToolchainError('pnpm install --frozen-lockfile failed (see above)');
    writeFileSync(INSTALL_STAMP, fingerprint);
  }
  const claude = installedClaudeBinary();
  if (claude !== undefined) link(CLAUDE_LINK, claude);
}

/** Builds the named packages and what they depend on; turbo skips (and says nothing of) what is cached. */
export function ensureBuilt(toolchain, packages) {
  const turbo = join(REPO_ROOT, 'node_modules', 'turbo', 'bin', 'turbo');
  const filters = packages.map((name) => `--filter=${name}...`);
  const result = spawnSync(toolchain.node.binary, [turbo, 'run', 'build', ...filters, '--output-logs=errors-only'], {
    cwd: REPO_ROOT,
    env: toolchain.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    process.stderr.write(output);
    throw new ToolchainError('the build failed (see above)');
  }
  const cached = /Cached:\s+(\d+) cached, (\d+) total/.exec(output);
  if (cached && cached[1] !== cached[2]) say(`built ${Number(cached[2]) - Number(cached[1])} of ${cached[2]} packages`);
}
