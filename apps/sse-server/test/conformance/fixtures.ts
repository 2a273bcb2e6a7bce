// Everything the conformance suite's scenarios call by name, registered on one MCP server.
import type { McpServer } from '@modelcontextprotocol/server';

import { registerInputRequiredTools } from './fixture-input-required.js';
import { registerFixturePrompts } from './fixture-prompts.js';
import { registerFixtureResources } from './fixture-resources.js';
import { registerTaskFixtures } from './fixture-tasks.js';
import { registerFixtureTools } from './fixture-tools.js';

/** What the fixtures reach beyond their server. */
export interface FixtureHooks {
  /** Tells the stack's 2026-07-28 listen streams that a list changed. */
  readonly listChanged: (list: 'tools' | 'prompts') => void;
}

/** Adds the fixture tools, resources and prompts to `server` (before it is connected). */
export function registerConformanceFixtures(server: McpServer, hooks: FixtureHooks): McpServer {
  registerFixtureTools(server);
  server.registerTool('test_trigger_prompt_change', { description: 'Conformance fixture: announces a prompt list change' }, () => {
    hooks.listChanged('prompts');
    return { content: [{ type: 'text', text: 'prompts/list_changed published' }] };
  });
  server.registerTool('test_trigger_tool_change', { description: 'Conformance fixture: announces a tool list change' }, () => {
    hooks.listChanged('tools');
    return { content: [{ type: 'text', text: 'tools/list_changed published' }] };
  });
  registerInputRequiredTools(server);
  registerFixtureResources(server);
  registerFixturePrompts(server);
  registerTaskFixtures(server);
  return server;
}
