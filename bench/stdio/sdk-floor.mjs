// A second baseline for bench/stdio: the smallest MCP SDK v2 stdio server (no tools), so the
// figures separate the SDK's own start-up from the server's. Not bundled, like a plain install.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

serveStdio(() => new McpServer({ name: 'sdk-floor', version: '1.0.0' }, { capabilities: { tools: {} } }));
