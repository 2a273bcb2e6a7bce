import { describe, expect, it } from 'vitest';

import { McpToolsError } from '../src/index.js';
import { THINKING_LEVELS, thinkingLevelToEffort } from '../src/thinking-level.js';

describe('thinkingLevelToEffort', () => {
  it('maps each thinking level to a --effort value, never lowering the default', () => {
    expect(Object.fromEntries(THINKING_LEVELS.map((level) => [level, thinkingLevelToEffort(level)]))).toEqual({
      think: 'medium',
      'think-hard': 'high',
      'think-harder': 'xhigh',
      ultrathink: 'max',
    });
    expect(Object.isFrozen(THINKING_LEVELS)).toBe(true);
  });

  it.each(['megathink', 'think hard', 'THINK', 'toString', ''])('rejects %j with MCP_TOOLS_INVALID_ARGUMENTS', (level) => {
    let caught: unknown;
    try {
      thinkingLevelToEffort(level as never);
    } catch (error) {
      caught = error;
    }
    expect(McpToolsError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'MCP_TOOLS_INVALID_ARGUMENTS' });
    expect((caught as Error).message).toContain('use one of think, think-hard, think-harder, ultrathink');
  });
});

describe('McpToolsError', () => {
  it('preserves cause and recognises foreign copies by brand', () => {
    const cause = new Error('root');
    expect(new McpToolsError('MCP_TOOLS_SESSION_BUSY', 'busy', { cause }).cause).toBe(cause);
    const foreign = new Error('x');
    Object.defineProperty(foreign, Symbol.for('@claude-code-mcp/mcp-tools:McpToolsError'), { value: true });
    expect(McpToolsError.isInstance(foreign)).toBe(true);
    expect(McpToolsError.isInstance(new Error('x'))).toBe(false);
  });
});
