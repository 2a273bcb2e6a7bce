#!/usr/bin/env node
// The stdio MCP server. stdout carries the protocol and nothing else: every log line goes to stderr.
import module from 'node:module';

import { unsupportedNodeProblem } from '@claude-code-mcp/server-config/node-version';

// Before the server is loaded: on an older Node it would fail with a stack trace instead.
const nodeProblem = unsupportedNodeProblem(process.versions.node, 'claude-code-mcp');
if (nodeProblem !== undefined) {
  process.stderr.write(`${nodeProblem}\n`);
  process.exit(1);
}

// node:sqlite announces itself as experimental on Node 22; that line is noise for MCP clients'
// logs. Other warnings still reach stderr.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

// MCP clients start the server for every session: keep V8's compiled code of the (bundled)
// server between starts.
module.enableCompileCache?.();

if (process.argv[2] === 'webhooks') {
  const { webhooksCommandMain } = await import('./main.js');
  process.exitCode = await webhooksCommandMain(process.argv.slice(3));
} else {
  const { main } = await import('./main.js');
  await main();
}
