import { projectConfig } from '@claude-code-mcp/vitest-config';

// Integration tests start the built server, which runs the real Claude Code CLI.
export default projectConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
