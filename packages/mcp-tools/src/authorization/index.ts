/**
 * `@claude-code-mcp/mcp-tools/authorization`: what an HTTP server with OAuth needs to know of the
 * Claude Code tools: the scopes their calls need ({@link ACCESS_SCOPES}, narrowest first) and how
 * a broader one includes a narrower one ({@link grantsScope}). The tools check them themselves
 * (step-up on Streamable HTTP, a tool error on legacy HTTP+SSE) whenever a call carries an access
 * token.
 *
 * @packageDocumentation
 */
export { ACCESS_SCOPES, grantsScope } from '../tools/tool-scopes.js';
export type { AccessScope } from '../tools/tool-scopes.js';
