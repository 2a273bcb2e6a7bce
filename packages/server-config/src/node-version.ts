// The Node version check both servers' bins run before they import anything else: on an older
// Node, loading the server fails deep inside (node:sqlite is missing before 22.13) with a stack
// trace that an MCP client shows only as "connection closed". Imports nothing, on purpose.

/**
 * The oldest Node the servers run on (`node:sqlite` without a flag).
 *
 * @example
 * ```ts
 * `${MINIMUM_NODE_VERSION.major}.${MINIMUM_NODE_VERSION.minor}`; // '22.13'
 * ```
 */
export const MINIMUM_NODE_VERSION: { readonly major: number; readonly minor: number } = Object.freeze({ major: 22, minor: 13 });

/**
 * `undefined` when `version` (such as `process.versions.node`) is new enough; otherwise the one
 * line to print: what is needed, what was found, and how to get it.
 *
 * @param version - a Node version, `22.13.0` or `v22.13.0`.
 * @param program - the name the line starts with.
 *
 * @example
 * ```ts
 * const problem = unsupportedNodeProblem(process.versions.node, 'claude-code-mcp');
 * if (problem !== undefined) {
 *   process.stderr.write(`${problem}\n`);
 *   process.exit(1);
 * }
 * ```
 */
export function unsupportedNodeProblem(version: string, program: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const { major: needMajor, minor: needMinor } = MINIMUM_NODE_VERSION;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `${program}: needs Node >= ${needMajor}.${needMinor}, found ${version.replace(/^v/, '')}; ` +
    `install Node ${needMajor} LTS (https://nodejs.org, or \`nvm install ${needMajor}\`) and point your MCP client's "command" at that node, ` +
    'or run from a clone with `npm start`, which installs it'
  );
}
