import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import * as z from 'zod';

import { McpToolsError } from './errors.js';

/**
 * Options for {@link resolveWorkingDirectory}.
 *
 * @example
 * ```ts
 * const options: ResolveWorkingDirectoryOptions = { roots: ['/home/me/projects'], base: '/home/me/projects' };
 * ```
 */
export interface ResolveWorkingDirectoryOptions {
  /**
   * Absolute directories the caller may work in; a working directory must be one of them or
   * below one of them after symbolic links are resolved. At least one; each must exist.
   */
  roots: readonly string[];
  /**
   * Absolute directory that relative requests are resolved against. Without it, a relative
   * request is rejected.
   */
  base?: string;
}

const absolutePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => path.isAbsolute(value), 'must be an absolute path')
  .refine((value) => !value.includes('\0'), 'must not contain a NUL character');

const optionsSchema = z.object({
  roots: z.array(absolutePath).min(1, 'must list at least one directory'),
  base: absolutePath.optional(),
});

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function isInside(candidate: string, root: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`))
  );
}

async function nearestRealAncestor(target: string): Promise<string> {
  let current = path.dirname(target);
  for (;;) {
    try {
      return await realpath(current);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

async function resolveRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(
    roots.map(async (root) => {
      let real: string;
      try {
        real = await realpath(root);
      } catch (error) {
        throw new McpToolsError(
          'MCP_TOOLS_INVALID_OPTIONS',
          `The allowed root "${root}" cannot be used (${isErrnoException(error) ? error.code : 'unknown error'}); create it or remove it from the roots.`,
          { cause: error },
        );
      }
      if (!(await stat(real)).isDirectory()) {
        throw new McpToolsError(
          'MCP_TOOLS_INVALID_OPTIONS',
          `The allowed root "${root}" is not a directory; list directories only.`,
        );
      }
      return real;
    }),
  );
}

/**
 * Resolves a requested working directory to its real path (symbolic links followed) and checks
 * that it is an existing directory inside one of the allowed roots (roots are resolved the same
 * way, so a root given through a symlink still works). A link inside a root that points outside
 * it is refused. A missing path outside the roots is reported as outside, so callers cannot probe
 * which paths exist elsewhere (a path that cannot be resolved is judged by its nearest existing
 * ancestor).
 *
 * @returns the real, absolute path of the directory.
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` (empty, relative without `base`, NUL),
 * `MCP_TOOLS_PATH_OUTSIDE_ROOTS`, `MCP_TOOLS_DIRECTORY_NOT_FOUND`, `MCP_TOOLS_NOT_A_DIRECTORY`,
 * `MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE`, or `MCP_TOOLS_INVALID_OPTIONS` for bad or missing roots.
 *
 * @example
 * ```ts
 * const cwd = await resolveWorkingDirectory('/home/me/projects/app', { roots: ['/home/me/projects'] });
 * // '/home/me/projects/app'
 * await resolveWorkingDirectory('/etc', { roots: ['/home/me/projects'] });
 * // throws MCP_TOOLS_PATH_OUTSIDE_ROOTS: Working directory "/etc" is outside the allowed roots …
 * ```
 */
export async function resolveWorkingDirectory(
  requested: string,
  options: ResolveWorkingDirectoryOptions,
): Promise<string> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new McpToolsError(
      'MCP_TOOLS_INVALID_OPTIONS',
      `Invalid working-directory options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const settings = Object.freeze(parsed.data);

  if (typeof requested !== 'string' || requested === '') {
    throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'The working directory must be a non-empty path.');
  }
  if (requested.includes('\0')) {
    throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'The working directory must not contain a NUL character.');
  }
  if (!path.isAbsolute(requested) && settings.base === undefined) {
    throw new McpToolsError(
      'MCP_TOOLS_INVALID_ARGUMENTS',
      `The working directory "${requested}" is relative; pass an absolute path.`,
    );
  }

  const realRoots = await resolveRoots(settings.roots);
  const allowed = settings.roots.join(', ');
  const lexical = path.resolve(settings.base ?? path.sep, requested);
  const outside = (resolved?: string): McpToolsError =>
    new McpToolsError(
      'MCP_TOOLS_PATH_OUTSIDE_ROOTS',
      `Working directory "${requested}"${resolved !== undefined && resolved !== lexical ? ` resolves to "${resolved}", which` : ''} is outside the allowed roots (${allowed}); choose a directory inside one of them.`,
    );

  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    const realAncestor = await nearestRealAncestor(lexical);
    // Judge a path that cannot be resolved by its nearest resolvable ancestor, so that neither a
    // path outside the roots nor one behind a link that leaves them reveals whether it exists.
    if (!realRoots.some((root) => isInside(realAncestor, root))) throw outside();
    const code = isErrnoException(error) ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new McpToolsError(
        'MCP_TOOLS_DIRECTORY_NOT_FOUND',
        `Working directory "${requested}" does not exist; create it first or pick an existing directory inside ${allowed}.`,
        { cause: error },
      );
    }
    throw new McpToolsError(
      'MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE',
      `Working directory "${requested}" cannot be resolved (${code ?? 'unknown error'}); check its permissions and symbolic links.`,
      { cause: error },
    );
  }

  if (!realRoots.some((root) => isInside(real, root))) throw outside(real);

  if (!(await stat(real)).isDirectory()) {
    throw new McpToolsError(
      'MCP_TOOLS_NOT_A_DIRECTORY',
      `Working directory "${requested}" is a file, not a directory; pass the folder that contains it.`,
    );
  }
  return real;
}
