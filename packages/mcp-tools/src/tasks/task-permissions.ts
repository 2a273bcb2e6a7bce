// A background task runs where nobody can be asked: its process has no control channel. The
// permission policy is therefore given to the CLI up front. `deny` is what `claude -p` does
// without a prompt tool (a call that needs approval is refused). `allow` approves every call
// with a PreToolUse hook: the CLI refuses `bypassPermissions` to root, a hook decision it takes.
import type { RunOptions } from '@claude-code-mcp/claude-cli-driver';

import type { PermissionPolicy } from '../tools/permission-bridge.js';

const ALLOW_DECISION = JSON.stringify({
  hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'PERMISSION_POLICY=allow for background tasks' },
});
// A constant the CLI runs through a shell: the JSON is single-quoted and holds no single quote.
const ALLOW_COMMAND = `printf '%s' '${ALLOW_DECISION}'`;

/**
 * The settings of a background run under `policy`: with `allow`, the run's own settings plus a
 * PreToolUse hook that approves every call (hooks it already has still run, and a deny from one
 * of them still wins).
 *
 * @example
 * ```ts
 * const settings = policySettings('allow', request.settings);
 * ```
 */
export function policySettings(policy: PermissionPolicy, settings: RunOptions['settings']): RunOptions['settings'] {
  if (policy === 'deny') return settings;
  const hooks = (settings?.['hooks'] ?? {}) as Record<string, unknown[]>;
  const preToolUse = [...(hooks['PreToolUse'] ?? []), { matcher: '*', hooks: [{ type: 'command', command: ALLOW_COMMAND }] }];
  return { ...settings, hooks: { ...hooks, PreToolUse: preToolUse } };
}
