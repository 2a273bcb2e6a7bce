#!/usr/bin/env node
// `npm test` (and `pnpm test`, and CI's .ci/run): the toolchain and dependencies as `npm start`
// sets them up (see toolchain.mjs), then run-tests.mjs on that Node with that pnpm.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { withSetupLock } from './setup-lock.mjs';
import { REPO_ROOT, TOOLCHAIN, ToolchainError, ensureDependencies, ensureToolchain, say } from './toolchain.mjs';

try {
  const toolchain = withSetupLock(TOOLCHAIN, say, () => {
    const ready = ensureToolchain();
    ensureDependencies(ready);
    return ready;
  });
  say(`node ${toolchain.node.version} (${toolchain.node.source}), pnpm ${toolchain.pnpm.version}`);
  const tests = spawnSync(toolchain.node.binary, [join(REPO_ROOT, 'scripts', 'run-tests.mjs'), ...process.argv.slice(2)], {
    cwd: REPO_ROOT,
    env: toolchain.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  process.exit(tests.status ?? 1);
} catch (error) {
  if (!(error instanceof ToolchainError)) throw error;
  say(error.message);
  process.exit(1);
}
