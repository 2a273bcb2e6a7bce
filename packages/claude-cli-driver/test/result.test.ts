import { describe, expect, it } from 'vitest';

import { ClaudeCliError, type ResultMessage } from '../src/index.js';
import { interpretResult } from '../src/result.js';

const base = { type: 'result', session_id: 's-1', num_turns: 1 } as const;
const plain = { interrupted: false, stderrTail: '' };

function codeOf(message: Partial<ResultMessage>, context = plain): string {
  const outcome = interpretResult({ ...base, subtype: 'success', is_error: false, ...message }, context);
  return ClaudeCliError.isInstance(outcome) ? outcome.code : 'ok';
}

describe('interpretResult', () => {
  it('reads a success into a RunResult', () => {
    const outcome = interpretResult(
      { ...base, subtype: 'success', is_error: false, result: 'hi', total_cost_usd: 0.01, structured_output: { a: 1 }, permission_denials: [{ tool_name: 'Write' }] },
      plain,
    );
    expect(outcome).toMatchObject({ text: 'hi', sessionId: 's-1', costUsd: 0.01, structuredOutput: { a: 1 }, numTurns: 1 });
  });

  it('treats is_error on a "success" line as the API error it is', () => {
    expect(codeOf({ is_error: true, terminal_reason: 'api_error', api_error_status: 529 })).toBe('CLAUDE_CLI_OVERLOADED');
    expect(codeOf({ is_error: true, terminal_reason: 'api_error', api_error_status: 401 })).toBe('CLAUDE_CLI_AUTH_FAILED');
    expect(codeOf({ is_error: true, terminal_reason: 'api_error', api_error_status: 429 })).toBe('CLAUDE_CLI_RATE_LIMITED');
    expect(codeOf({ is_error: true, terminal_reason: 'api_error', api_error_status: 500 })).toBe('CLAUDE_CLI_API_ERROR');
    expect(codeOf({ is_error: true })).toBe('CLAUDE_CLI_EXECUTION_ERROR');
  });

  it('reads "Not logged in" (no request was made, so no status) as CLAUDE_CLI_AUTH_FAILED with advice', () => {
    const outcome = interpretResult({ ...base, subtype: 'success', is_error: true, terminal_reason: 'api_error', result: 'Not logged in · Please run /login' }, plain);
    expect(outcome).toMatchObject({ code: 'CLAUDE_CLI_AUTH_FAILED' });
    expect((outcome as Error).message).toContain('Not logged in');
    expect((outcome as Error).message).toContain('ANTHROPIC_API_KEY');
    expect(codeOf({ is_error: true, terminal_reason: 'api_error', result: 'Overloaded' })).toBe('CLAUDE_CLI_API_ERROR');
  });

  it('maps each error subtype to its code', () => {
    expect(codeOf({ subtype: 'error_max_turns', is_error: true })).toBe('CLAUDE_CLI_MAX_TURNS');
    expect(codeOf({ subtype: 'error_max_budget_usd', is_error: true })).toBe('CLAUDE_CLI_MAX_BUDGET');
    expect(codeOf({ subtype: 'error_max_structured_output_retries', is_error: true })).toBe('CLAUDE_CLI_STRUCTURED_OUTPUT_FAILED');
    expect(codeOf({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_tools' })).toBe('CLAUDE_CLI_INTERRUPTED');
    expect(codeOf({ subtype: 'error_during_execution', is_error: true }, { interrupted: true, stderrTail: '' })).toBe('CLAUDE_CLI_INTERRUPTED');
    expect(codeOf({ subtype: 'error_during_execution', is_error: true }, { interrupted: false, stderrTail: 'No conversation found with session ID: x' })).toBe(
      'CLAUDE_CLI_SESSION_NOT_FOUND',
    );
    expect(codeOf({ subtype: 'error_during_execution', is_error: true })).toBe('CLAUDE_CLI_EXECUTION_ERROR');
  });
});
