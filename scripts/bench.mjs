#!/usr/bin/env node
// `pnpm bench <name>` runs bench/<name>/main.ts. Each benchmark prints its figures and ends with
// one line `<name>: key=value …` (ratios named …ratio, speed-ups …speedup, then the targets).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const name = process.argv[2];
const available = readdirSync(join(root, 'bench'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'bench', entry.name, 'main.ts')))
  .map((entry) => entry.name);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: pnpm bench <name>   (one of: ${available.join(', ')})\n`);
  process.exit(2);
}
// Benchmarks import the built packages and start the built stdio and HTTP servers (by path: as a dependency
// its bin would be linked before it exists): build them (turbo caches this) before measuring.
const filters = ['--filter=@claude-code-mcp/bench^...', '--filter=@claude-code-mcp/stdio-server...', '--filter=@claude-code-mcp/sse-server...'];
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (build.status !== 0) process.exit(build.status ?? 1);
const result = spawnSync(process.execPath, [join(root, 'bench', name, 'main.ts'), ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
