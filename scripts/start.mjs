#!/usr/bin/env node
// `npm start [-- stdio|http]`: sets up what the project needs (see toolchain.mjs), then runs a
// server in the directory npm was started from. stdio by default; `http` (or TRANSPORT=http, sse
// or both, in the environment or .env) starts the HTTP server. Set-up output goes to stderr:
// stdout is the stdio server's.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';

import { readDotEnv, serverEnv } from './server-env.mjs';
import { withSetupLock } from './setup-lock.mjs';
import {
  CLAUDE_LINK,
  REPO_ROOT,
  TOOLCHAIN,
  TOOLCHAIN_BIN,
  ToolchainError,
  ensureBuilt,
  ensureDependencies,
  ensureToolchain,
  installedClaudeBinary,
  say,
} from './toolchain.mjs';

const SERVERS = {
  stdio: { package: '@claude-code-mcp/stdio-server', cli: join(REPO_ROOT, 'apps', 'stdio-server', 'dist', 'cli.js') },
  http: { package: '@claude-code-mcp/sse-server', cli: join(REPO_ROOT, 'apps', 'sse-server', 'dist', 'cli.js') },
};
const DOT_ENV = join(REPO_ROOT, '.env');
const USAGE = 'usage: npm start [-- stdio|http]   (default stdio; TRANSPORT=http|sse|both also picks the HTTP server)';

function chooseServer(args, settings) {
  if (args.length > 1 || (args[0] !== undefined && !Object.hasOwn(SERVERS, args[0]))) {
    throw new ToolchainError(`unknown argument ${JSON.stringify(args.join(' '))}; ${USAGE}`);
  }
  if (args[0] !== undefined) return args[0];
  const transport = (settings.TRANSPORT ?? '').trim().toLowerCase();
  if (transport === '' || transport === 'stdio') return 'stdio';
  if (['http', 'sse', 'both'].includes(transport)) return 'http';
  throw new ToolchainError(`TRANSPORT must be stdio, http, sse or both (got ${JSON.stringify(settings.TRANSPORT)})`);
}

const quoted = (word) => (/^[\w./=:@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

// What to paste into an MCP client to start this same server without npm: absolute paths only.
function printClientConfig(server, settings, workingDirectory, nodeArgs) {
  if (server === 'http') {
    const port = settings.PORT?.trim() || '3000';
    if (port === '0') say('MCP clients connect to http://127.0.0.1:<port>/mcp, with the port the server logs when it listens');
    else say(`MCP clients connect to http://127.0.0.1:${port}/mcp, e.g. claude mcp add --transport http claude-code http://127.0.0.1:${port}/mcp`);
    return;
  }
  const node = join(TOOLCHAIN_BIN, 'node');
  const args = [...nodeArgs, SERVERS.stdio.cli];
  const json = { mcpServers: { 'claude-code': { command: node, args, env: { DEFAULT_WORKING_DIRECTORY: workingDirectory } } } };
  say('to start it from an MCP client instead, use one of:');
  process.stderr.write(`  Claude Code (every project):  claude mcp add -s user claude-code -- ${[node, ...args].map(quoted).join(' ')}\n`);
  process.stderr.write(`  JSON config (Claude Desktop, Cursor):  ${JSON.stringify(json)}\n`);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder, command), fsConstants.X_OK);
      return folder !== '';
    } catch {
      return false;
    }
  });
}

function start(server, settings, toolchain, workingDirectory, nodeArgs) {
  const env = serverEnv(process.env, workingDirectory);
  // The stdio server reads no TRANSPORT; the HTTP one must not get "stdio" (it serves http, sse or both).
  if (server === 'stdio') delete env.TRANSPORT;
  else if ((settings.TRANSPORT ?? '').trim().toLowerCase() === 'stdio') env.TRANSPORT = 'both';
  const child = spawn(toolchain.node.binary, [...nodeArgs, SERVERS[server].cli], { cwd: workingDirectory, env, stdio: 'inherit' });
  // The server decides how a signal ends it (a repeat within a second is the same request); this
  // process only passes signals on and then its exit status.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.once('error', (error) => {
    say(`could not start the server: ${error.message}`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => process.exit(code ?? 128 + (osConstants.signals[signal] ?? 1)));
}

if (['-h', '--help', 'help'].includes(process.argv[2] ?? '')) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}
try {
  // What is set in the environment wins over .env, as `node --env-file` has it.
  const settings = { ...readDotEnv(DOT_ENV), ...process.env };
  const server = chooseServer(process.argv.slice(2), settings);
  const workingDirectory = process.env.INIT_CWD || process.cwd();
  const toolchain = withSetupLock(TOOLCHAIN, say, () => {
    const ready = ensureToolchain();
    ensureDependencies(ready);
    ensureBuilt(ready, [SERVERS[server].package]);
    return ready;
  });
  say(`node ${toolchain.node.version} (${toolchain.node.source}), pnpm ${toolchain.pnpm.version}`);
  const nodeArgs = existsSync(DOT_ENV) ? [`--env-file=${DOT_ENV}`] : [];
  if (nodeArgs.length > 0) say('reading settings from .env (variables already set win)');
  if (!onPath('claude') && installedClaudeBinary() !== undefined) say(`no claude of your own? log in with the clone's: ${CLAUDE_LINK} (then /login), or set ANTHROPIC_API_KEY`);
  printClientConfig(server, settings, workingDirectory, nodeArgs);
  say(`starting the ${server} server in ${workingDirectory}`);
  start(server, settings, toolchain, workingDirectory, nodeArgs);
} catch (error) {
  if (!(error instanceof ToolchainError)) throw error;
  say(error.message);
  process.exit(1);
}
