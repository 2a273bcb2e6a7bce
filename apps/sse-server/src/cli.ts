#!/usr/bin/env node
// The HTTP MCP server. Logs go to stderr.
import { unsupportedNodeProblem } from '@claude-code-mcp/server-config/node-version';

// Before the server is loaded: on an older Node it would fail with a stack trace instead.
const nodeProblem = unsupportedNodeProblem(process.versions.node, 'claude-code-mcp-http');
if (nodeProblem !== undefined) {
  process.stderr.write(`${nodeProblem}\n`);
  process.exit(1);
}

// node:sqlite announces itself as experimental on Node 22; that line is noise in a server's logs.
// Other warnings still reach stderr.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

if (process.argv[2] === 'webhooks') {
  const { webhooksCommandMain } = await import('./main.js');
  process.exitCode = await webhooksCommandMain(process.argv.slice(3));
} else {
  const { main } = await import('./main.js');
  await main();
}
