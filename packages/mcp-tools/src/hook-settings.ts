import { constants } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

import { McpToolsError } from './errors.js';

/** Every hook event the CLI knows (2.1.332, from its hooks listing). */
export const HOOK_EVENTS = [
  'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch', 'PermissionDenied', 'Notification', 'UserPromptSubmit',
  'UserPromptExpansion', 'SessionStart', 'Stop', 'StopFailure', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact',
  'PreModelSwitch', 'PostModelSwitch', 'SessionEnd', 'PermissionRequest', 'Setup', 'TeammateIdle', 'TaskCreated', 'TaskCompleted',
  'Elicitation', 'ElicitationResult', 'ConfigChange', 'InstructionsLoaded', 'WorktreeCreate', 'WorktreeRemove', 'CwdChanged',
  'FileChanged', 'DirectoryAdded', 'MessageDisplay', 'PreSkillShellCommand',
] as const;

/** The seed's camelCase hook keys and the CLI events they stand for. */
export const HOOK_ALIASES: Readonly<Record<string, readonly (typeof HOOK_EVENTS)[number][]>> = Object.freeze({
  preToolUse: ['PreToolUse'],
  postToolUse: ['PostToolUse'],
  sessionStart: ['SessionStart'],
  preCompact: ['PreCompact'],
  onError: ['PostToolUseFailure', 'StopFailure'],
});

// Events that take no matcher (the CLI ignores or rejects one there).
const NO_MATCHER = new Set(['PostToolBatch', 'UserPromptSubmit', 'Stop', 'TeammateIdle', 'TaskCreated', 'TaskCompleted', 'WorktreeCreate', 'WorktreeRemove', 'CwdChanged', 'MessageDisplay']);

/** One hook as a tool call gives it: a script inside an allowed hooks folder. */
export interface HookSpec {
  /** Path of an executable script: relative to `<cwd>/.claude/hooks`, or absolute inside an allowed folder. */
  readonly command: string;
  /** Tool-name pattern for tool events, e.g. `Bash` or `Write|Edit`. */
  readonly matcher?: string | undefined;
  /** Seconds the CLI lets the hook run. */
  readonly timeout?: number | undefined;
}

/** Hooks by event: a seed key (`preToolUse`, …) or a CLI event name (`PreToolUse`, …). */
export type HookSpecs = Readonly<Record<string, readonly HookSpec[]>>;

const SAFE_PATH = /^[A-Za-z0-9_./@+-]+$/;
const MATCHER = /^[A-Za-z0-9_*|().:-]{1,200}$/;

function inside(candidate: string, folder: string): boolean {
  const path = relative(folder, candidate);
  return path !== '' && !isAbsolute(path) && path !== '..' && !path.startsWith(`..${sep}`);
}

/**
 * Turns the `hooks` argument into the settings JSON the CLI takes with `--settings`. Every
 * command must be an executable file that resolves (after symbolic links) inside
 * `<cwd>/.claude/hooks` or one of `hookDirectories`; the CLI runs hook commands through a shell,
 * so the resolved path must also be free of shell characters.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` naming the hook and what is wrong.
 * @example
 * ```ts
 * const settings = await buildHookSettings({ preToolUse: [{ matcher: 'Bash', command: 'check-bash.sh' }] }, { cwd: '/repo' });
 * // { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/repo/.claude/hooks/check-bash.sh' }] }] } }
 * ```
 */
export async function buildHookSettings(
  specs: HookSpecs,
  options: { cwd: string; hookDirectories?: readonly string[] },
): Promise<{ hooks: Record<string, { matcher?: string; hooks: { type: 'command'; command: string; timeout?: number }[] }[]> }> {
  const projectHooks = join(options.cwd, '.claude', 'hooks');
  const folders: string[] = [];
  for (const folder of [projectHooks, ...(options.hookDirectories ?? [])]) {
    try {
      folders.push(await realpath(folder));
    } catch {
      // A folder that does not exist holds no hooks.
    }
  }
  const allowed = `${projectHooks}${options.hookDirectories?.length ? ` or ${options.hookDirectories.join(', ')}` : ''}`;
  const fail = (message: string) => new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', message);
  const settings: Record<string, { matcher?: string; hooks: { type: 'command'; command: string; timeout?: number }[] }[]> = {};
  for (const [key, list] of Object.entries(specs)) {
    const events = HOOK_ALIASES[key] ?? ((HOOK_EVENTS as readonly string[]).includes(key) ? [key as (typeof HOOK_EVENTS)[number]] : undefined);
    if (!events) {
      throw fail(`Unknown hook event "${key}". Use ${Object.keys(HOOK_ALIASES).join(', ')} or a Claude Code event such as ${HOOK_EVENTS.slice(0, 4).join(', ')}.`);
    }
    for (const spec of list) {
      if (spec.matcher !== undefined && !MATCHER.test(spec.matcher)) {
        throw fail(`Hook ${key}: the matcher "${spec.matcher}" is not a tool-name pattern such as "Bash" or "Write|Edit".`);
      }
      const requested = isAbsolute(spec.command) ? spec.command : resolve(projectHooks, spec.command);
      let resolved: string;
      try {
        resolved = await realpath(requested);
        await access(resolved, constants.X_OK);
      } catch {
        throw fail(`Hook ${key}: "${spec.command}" is not an executable file (looked for ${requested}). Put hook scripts in ${allowed} and make them executable.`);
      }
      if (!folders.some((folder) => inside(resolved, folder))) {
        throw fail(`Hook ${key}: "${spec.command}" resolves to ${resolved}, outside the allowed hook folders (${allowed}).`);
      }
      if (!SAFE_PATH.test(resolved)) {
        throw fail(`Hook ${key}: the path ${resolved} contains characters a shell would interpret; rename it with letters, digits, . _ - / only.`);
      }
      for (const event of events) {
        const entries = (settings[event] ??= []);
        entries.push({
          ...(spec.matcher !== undefined && !NO_MATCHER.has(event) ? { matcher: spec.matcher } : {}),
          hooks: [{ type: 'command', command: resolved, ...(spec.timeout === undefined ? {} : { timeout: spec.timeout }) }],
        });
      }
    }
  }
  return { hooks: settings };
}
