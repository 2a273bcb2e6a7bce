import { projectConfig } from '@claude-code-mcp/vitest-config';

export default projectConfig();
