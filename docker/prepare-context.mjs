#!/usr/bin/env node
// Makes the build context of docker/sse-server.Dockerfile from this checkout (built: `pnpm build`):
//   <context>/app  the HTTP server and its production dependencies (pnpm deploy)
//   <context>/npm  Claude Code's npm tarballs, unless --no-claude-tarballs (the build then installs
//                  it from the registry)
//
//   node docker/prepare-context.mjs <context> [--no-claude-tarballs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
  return result.stdout.trim();
}

/** The Claude Code version the project pins (pnpm-workspace.yaml's catalog). */
export function claudeCodeVersion() {
  const match = /'@anthropic-ai\/claude-code':\s*([\d.]+)/.exec(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8'));
  if (!match) throw new Error('pnpm-workspace.yaml names no @anthropic-ai/claude-code version');
  return match[1];
}

const MARKER = '.claude-code-mcp-context';

/** Writes the context into `context`: a new folder, an empty one, or one this script made (emptied first). */
export function prepareContext(context, { claudeTarballs = true } = {}) {
  if (!existsSync(join(root, 'apps/sse-server/dist/cli.js'))) throw new Error('apps/sse-server is not built: run pnpm build first');
  if (existsSync(context) && readdirSync(context).length > 0 && !existsSync(join(context, MARKER))) {
    throw new Error(`${context} is not empty and was not made by this script: give a new or empty folder`);
  }
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'npm'), { recursive: true });
  writeFileSync(join(context, MARKER), 'made by docker/prepare-context.mjs\n');
  // Workspace packages are copied (not linked) with their production dependencies.
  run('pnpm', ['--filter', '@claude-code-mcp/sse-server', 'deploy', '--legacy', '--prod', join(context, 'app')]);
  if (claudeTarballs) {
    const version = claudeCodeVersion();
    run('npm', ['pack', `@anthropic-ai/claude-code@${version}`, `@anthropic-ai/claude-code-linux-x64@${version}`, '--silent', '--pack-destination', join(context, 'npm')]);
  }
  return context;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node docker/prepare-context.mjs <context folder> [--no-claude-tarballs]\n');
    process.exit(2);
  }
  prepareContext(resolve(target), { claudeTarballs: !process.argv.includes('--no-claude-tarballs') });
}
