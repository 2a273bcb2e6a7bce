// What a tool call may do, in OAuth scopes: read (lists, logs, comparisons), run (Claude Code
// runs, aborts, background tasks, checkpoints that change files), admin (installing plugins). A
// broader scope includes the narrower ones. Without an access token (stdio, OAuth off) nothing
// is checked here.
import { ProtocolError, ProtocolErrorCode, type AuthInfo, type ScopeChallengeHandler, type ServerContext } from '@modelcontextprotocol/server';

/**
 * The scopes a token of the HTTP server can carry.
 *
 * @example
 * ```ts
 * const needed: AccessScope = 'run';
 * ```
 */
export type AccessScope = 'read' | 'run' | 'admin';

/**
 * Each scope and what the consent page says of it, narrowest first.
 *
 * @example
 * ```ts
 * registerAuthorizationServer(app, { ...options, scopes: ACCESS_SCOPES });
 * ```
 */
export const ACCESS_SCOPES: readonly { readonly name: AccessScope; readonly description: string }[] = Object.freeze([
  Object.freeze({ name: 'read' as const, description: 'See subagents, plugins, background tasks and their logs, and compare checkpoints' }),
  Object.freeze({ name: 'run' as const, description: 'Run Claude Code in the allowed folders (it can change files and run commands), stop runs, and create or restore checkpoints' }),
  Object.freeze({ name: 'admin' as const, description: 'Install plugins for every later run, and see every user’s sessions and tasks' }),
]);

const RANK: Readonly<Record<AccessScope, number>> = { read: 1, run: 2, admin: 3 };

/**
 * Whether `granted` (a token's scopes) allows what `needed` names: a broader scope satisfies a narrower one.
 *
 * @example
 * ```ts
 * grantsScope(['admin'], 'read'); // true
 * grantsScope(['read'], 'run'); // false
 * ```
 */
export function grantsScope(granted: readonly string[], needed: AccessScope): boolean {
  return granted.some((scope) => scope in RANK && RANK[scope as AccessScope] >= RANK[needed]);
}

/** What a tool needs: one scope, or one that depends on the call's arguments (an `action`). */
export type ToolScope = AccessScope | ((args: Record<string, unknown>) => AccessScope);

export function scopeNeeded(scope: ToolScope, args: unknown): AccessScope {
  if (typeof scope === 'string') return scope;
  return scope(typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {});
}

/** The SDK's per-tool step-up: a call beyond the token's scopes gets a 403 `insufficient_scope` naming the one needed. */
export function scopeChallengeFor(toolName: string, scope: ToolScope): ScopeChallengeHandler {
  return ({ request, authInfo }) => {
    if (authInfo === undefined) return undefined;
    const needed = scopeNeeded(scope, (request.params as { arguments?: unknown } | undefined)?.arguments);
    return grantsScope(authInfo.scopes, needed) ? undefined : { scopes: [needed], errorDescription: `${toolName} needs the ${needed} scope` };
  };
}

/** The same check inside the handler, for transports that have no step-up (legacy HTTP+SSE). */
export function missingScope(scope: ToolScope, args: unknown, authInfo: AuthInfo | undefined): AccessScope | undefined {
  if (authInfo === undefined) return undefined;
  const needed = scopeNeeded(scope, args);
  return grantsScope(authInfo.scopes, needed) ? undefined : needed;
}

/** claude_background_tasks: reading is `read`, stopping and restarting are `run`. */
export const backgroundTasksScope: ToolScope = (args) => (args['action'] === 'stop' || args['action'] === 'restart' ? 'run' : 'read');
/** claude_checkpoint: listing and comparing are `read`; create, restore and delete are `run`. */
export const checkpointScope: ToolScope = (args) => (args['action'] === 'list' || args['action'] === 'compare' ? 'read' : 'run');

/** The user a token speaks for (`extra.subject`, as the HTTP server sets it), or `''` without one. */
export function subjectOf(authInfo: AuthInfo | undefined): string {
  const subject = authInfo?.extra?.['subject'];
  return typeof subject === 'string' ? subject : '';
}

/** A request (not a tool call: `tasks/*`, a resource read) that needs `needed`: refused with a protocol error otherwise. */
export function requireScope(context: ServerContext, needed: AccessScope, what: string): void {
  const authInfo = context.http?.authInfo;
  if (authInfo !== undefined && !grantsScope(authInfo.scopes, needed)) {
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `${what} needs the ${needed} scope; authorize again asking for it.`);
  }
}

/** The step-up for a resource read that needs `read` (Streamable HTTP answers 403 before the read). */
export const readScopeChallenge: ScopeChallengeHandler = ({ authInfo }) => (authInfo === undefined || grantsScope(authInfo.scopes, 'read') ? undefined : { scopes: ['read'], errorDescription: 'reading this resource needs the read scope' });
