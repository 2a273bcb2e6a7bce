import { projectConfig } from '@claude-code-mcp/vitest-config';

// Integration tests run the real CLI (~0.5 s per spawn); two cores, so keep files in parallel but
// give each test room.
export default projectConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
