import { type Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

import { McpToolsError } from '../errors.js';
import { BUILT_IN_AGENTS } from './built-in-agents.js';
import { parseModel, parseToolList, readFrontmatter } from './frontmatter.js';

/**
 * Where a subagent definition comes from.
 *
 * @example
 * ```ts
 * const editable = (source: AgentSource): boolean => source === 'project' || source === 'user';
 * ```
 */
export type AgentSource = 'project' | 'user' | 'plugin' | 'built-in';

/**
 * One subagent, as Claude Code would see it.
 *
 * @example
 * ```ts
 * const reviewer: AgentInfo = {
 *   name: 'reviewer', description: 'Reviews diffs', tools: ['Read', 'Grep'], model: 'sonnet',
 *   source: 'project', path: '/repo/.claude/agents/reviewer.md',
 * };
 * ```
 */
export interface AgentInfo {
  /** The name to pass as `subagent_type` or `--agent`; plugin agents are `<plugin>:<agent>`. */
  name: string;
  description: string;
  /** Allowed tool rules; `null` means every tool, `[]` means none. */
  tools: string[] | null;
  /** Tool rules removed from the agent's tools, when the definition sets them. */
  disallowedTools?: string[];
  /** Model alias or id, `'inherit'`, or `null` for the default. */
  model: string | null;
  source: AgentSource;
  /** The definition file; `null` for built-ins. */
  path: string | null;
  /** Set when Claude Code does not load this file; the entry then never wins a name clash. */
  error?: string;
  /** Set when Claude Code loads the agent but ignores part of its file. */
  warning?: string;
}

/**
 * An installed plugin whose `agents/` folder to read.
 *
 * @example
 * ```ts
 * const plugin: PluginDirectory = { name: 'demo', path: '/home/me/.claude/plugins/cache/mkt/demo/0.1.0' };
 * ```
 */
export interface PluginDirectory {
  /** The plugin's name (the part of its id before `@`); it prefixes the agent names. */
  name: string;
  /** Absolute path of the plugin's root folder (the one holding `.claude-plugin/plugin.json`). */
  path: string;
}

/**
 * Options of {@link listAgents}.
 *
 * @example
 * ```ts
 * const options: ListAgentsOptions = { cwd: '/repo', claudeConfigDir: '/home/me/.claude' };
 * ```
 */
export interface ListAgentsOptions {
  /** Absolute working directory of the session; project agents are read from it and its parents. */
  cwd: string;
  /** Absolute `CLAUDE_CONFIG_DIR` of the CLI (default of the CLI: `~/.claude`); user agents live in its `agents/`. */
  claudeConfigDir: string;
  /** Enabled, installed plugins, e.g. from `installedPluginDirectories(await listPlugins(…))`. */
  plugins?: readonly PluginDirectory[];
  /**
   * The CLI's home directory (its `HOME`); the upward search for project agents stops below it.
   * Default: `os.homedir()` of this process.
   */
  homeDir?: string;
}

/** The CLI reads at most this many bytes of an agent file (1 MiB). */
const MAX_AGENT_FILE_BYTES = 1_048_576;
/** The CLI's limit on the length of a frontmatter `name`. */
const MAX_NAME_LENGTH = 256;
/** How deep the CLI descends into a plugin's `agents/` folder, and how many folders it reads. */
const MAX_PLUGIN_DEPTH = 32;
const MAX_PLUGIN_FOLDERS = 4096;

interface AgentFile {
  readonly file: string;
  /** Sub-folders between the scanned `agents/` folder and the file. */
  readonly namespace: readonly string[];
}

const NON_ASCII = /[\u0080-\uffff]/;

/** The CLI's order for agent names: ASCII names first, by locale; then the rest, by code unit. */
function compareAgentNames(left: string, right: string): number {
  const leftAscii = !NON_ASCII.test(left);
  if (leftAscii !== !NON_ASCII.test(right)) return leftAscii ? -1 : 1;
  if (leftAscii) return left.localeCompare(right, 'en');
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

function stem(file: string): string {
  return path.basename(file).replace(/\.md$/, '');
}

function cloneAgent(agent: Readonly<AgentInfo>): AgentInfo {
  return {
    ...agent,
    tools: agent.tools === null ? null : [...agent.tools],
    ...(agent.disallowedTools !== undefined && { disallowedTools: [...agent.disallowedTools] }),
  };
}

function errnoCode(error: unknown): string {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
    ? ((error as NodeJS.ErrnoException).code as string)
    : String(error);
}

/**
 * Every `*.md` below `root` the way the CLI collects user and project agents: sub-folders too,
 * hidden ones included, links followed (each folder once), the `.md` suffix case-sensitive,
 * sorted by path. A missing `root` gives `[]`.
 */
async function collectMarkdown(root: string): Promise<AgentFile[]> {
  const found: AgentFile[] = [];
  const visited = new Set<string>();
  async function walk(folder: string, namespace: readonly string[]): Promise<void> {
    let info;
    try {
      info = await stat(folder, { bigint: true });
    } catch {
      return;
    }
    if (!info.isDirectory()) return;
    const key = `${info.dev}:${info.ino}`;
    if (visited.has(key)) return;
    visited.add(key);
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(full);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch {
          continue;
        }
      }
      if (isDirectory) await walk(full, [...namespace, entry.name]);
      else if (isFile && entry.name.endsWith('.md')) found.push({ file: full, namespace });
    }
  }
  await walk(root, []);
  return found.sort((left, right) => (left.file < right.file ? -1 : left.file > right.file ? 1 : 0));
}

/**
 * The `*.md` files of a plugin's `agents/` folder the way the CLI collects them: sub-folders too
 * (they become name segments), links not followed, `.mcpb-cache` skipped, the suffix case-insensitive.
 */
async function collectPluginMarkdown(root: string): Promise<AgentFile[]> {
  const found: AgentFile[] = [];
  let folders = 0;
  async function walk(folder: string, namespace: readonly string[]): Promise<void> {
    if (namespace.length >= MAX_PLUGIN_DEPTH) return;
    folders += 1;
    if (folders > MAX_PLUGIN_FOLDERS) return;
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.toLowerCase().replace(/[. ]+$/, '') === '.mcpb-cache') continue;
        await walk(full, [...namespace, entry.name]);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) {
        found.push({ file: full, namespace });
      }
    }
  }
  await walk(root, []);
  return found.sort((left, right) => (left.file < right.file ? -1 : left.file > right.file ? 1 : 0));
}

type ReadResult = { text: string } | { error: string };

async function readAgentFile(file: string): Promise<ReadResult> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { error: 'not loaded by Claude Code: it is not a regular file' };
    if (info.size > MAX_AGENT_FILE_BYTES) {
      return { error: `not loaded by Claude Code: the file is larger than ${MAX_AGENT_FILE_BYTES} bytes` };
    }
    return { text: await readFile(file, 'utf8') };
  } catch (error) {
    return { error: `could not be read (${errnoCode(error)})` };
  }
}

/** Why the CLI refuses a project or user agent's name and description, if it does. */
function definitionProblem(data: Readonly<Record<string, unknown>>): string | undefined {
  const { name, description } = data;
  if (typeof name !== 'string' || name === '') return 'missing required "name" field in frontmatter';
  if (name.startsWith('-')) return 'invalid "name": names must not start with "-"';
  if (name.length > MAX_NAME_LENGTH) return `invalid "name": names must be at most ${MAX_NAME_LENGTH} characters`;
  if (name.normalize('NFKC').includes(':')) {
    return 'invalid "name": names must not contain ":" (reserved for plugin namespacing)';
  }
  if (typeof description !== 'string' || description === '') {
    return 'missing required "description" field in frontmatter (it must be a non-empty string)';
  }
  return undefined;
}

function toolFields(data: Readonly<Record<string, unknown>>): Pick<AgentInfo, 'tools' | 'disallowedTools'> {
  const tools = parseToolList(data['tools']);
  const disallowed = parseToolList(data['disallowedTools']);
  return { tools: tools ?? null, ...(disallowed != null && { disallowedTools: disallowed }) };
}

/** A project or user agent file, read like the CLI's agent loader. */
async function readSettingsAgent(file: string, source: 'project' | 'user'): Promise<AgentInfo> {
  const read = await readAgentFile(file);
  if ('error' in read) {
    return { name: stem(file), description: '', tools: null, model: null, source, path: file, error: read.error };
  }
  const frontmatter = readFrontmatter(read.text);
  const { data } = frontmatter;
  const name = typeof data['name'] === 'string' && data['name'] !== '' ? data['name'] : stem(file);
  const description = typeof data['description'] === 'string' ? data['description'].replaceAll('\\n', '\n') : '';
  const agent: AgentInfo = { name, description, ...toolFields(data), model: parseModel(data['model']), source, path: file };
  let problem: string | undefined;
  if (!frontmatter.present) problem = 'no frontmatter; Claude Code treats a file without a `name` as a reference document';
  else if (frontmatter.error !== undefined) problem = frontmatter.error;
  else problem = definitionProblem(data);
  if (problem !== undefined) agent.error = `not loaded by Claude Code: ${problem}`;
  else if (frontmatter.lenient === true) {
    agent.warning = 'the frontmatter is not strict YAML; Claude Code read it after quoting values with YAML syntax characters';
  }
  return agent;
}

function pluginDescription(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A plugin agent file, read like the CLI's plugin loader (which is more forgiving). */
async function readPluginAgent(plugin: PluginDirectory, entry: AgentFile): Promise<AgentInfo> {
  const read = await readAgentFile(entry.file);
  const fallbackName = [plugin.name, ...entry.namespace, stem(entry.file)].join(':');
  if ('error' in read) {
    return { name: fallbackName, description: '', tools: null, model: null, source: 'plugin', path: entry.file, error: read.error };
  }
  const frontmatter = readFrontmatter(read.text);
  const { data } = frontmatter;
  const rawName = data['name'];
  const scalarName =
    typeof rawName === 'string' || typeof rawName === 'number' || typeof rawName === 'boolean' ? String(rawName) : '';
  const ownName = scalarName !== '' && scalarName.length <= MAX_NAME_LENGTH ? scalarName : stem(entry.file);
  const description =
    pluginDescription(data['description']) ??
    pluginDescription(data['when_to_use']) ??
    pluginDescription(data['when-to-use']) ??
    `Agent from ${plugin.name} plugin`;
  const agent: AgentInfo = {
    name: [plugin.name, ...entry.namespace, ownName].join(':'),
    description,
    ...toolFields(data),
    model: parseModel(data['model']),
    source: 'plugin',
    path: entry.file,
  };
  if (frontmatter.error !== undefined) {
    agent.warning = `${frontmatter.error}; Claude Code loads this plugin agent with its name taken from the file name and every other frontmatter field dropped`;
  } else if (frontmatter.lenient === true) {
    agent.warning = 'the frontmatter is not strict YAML; Claude Code read it after quoting values with YAML syntax characters';
  }
  return agent;
}

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `start` holding `.git` (a folder or a worktree file), if any. */
async function findGitRoot(start: string): Promise<string | undefined> {
  let current = start;
  for (;;) {
    if (await exists(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The `.claude/agents` folders the CLI reads for project agents, from `cwd` upwards: it stops at the
 * git root (included) or just below the home directory, whichever comes first. Nearest first.
 */
async function projectAgentFolders(cwd: string, home: string): Promise<string[]> {
  const gitRoot = await findGitRoot(cwd);
  const folders: string[] = [];
  let current = cwd;
  for (;;) {
    if (current === home) break;
    folders.push(path.join(current, '.claude', 'agents'));
    if (gitRoot !== undefined && current === gitRoot) break;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return folders;
}

async function fileIdentity(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file, { bigint: true });
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

function requireAbsolute(value: unknown, label: string): string {
  if (typeof value !== 'string' || value === '' || !path.isAbsolute(value) || value.includes('\0')) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `listAgents: ${label} must be an absolute path, got ${JSON.stringify(value)}.`);
  }
  return path.resolve(value);
}

/**
 * Lists the subagents Claude Code would offer in `cwd`, with the CLI's rules (checked against
 * `system/init.agents` of Claude Code 2.1.332):
 *
 * - built-ins, then plugin agents (`<plugin>:<sub-folder…>:<name>`), then user agents
 *   (`<claudeConfigDir>/agents/**∕*.md`), then project agents (`.claude/agents/**∕*.md` in `cwd` and
 *   each parent up to the git root or the home directory); on a name clash the later one wins, the
 *   nearest project folder last, and inside one folder the later file path;
 * - a project or user file without a frontmatter `name` and `description` (non-empty strings, the
 *   name without `:` or a leading `-`), or with frontmatter that is not YAML, is not loaded by the
 *   CLI: it is listed here with `error` set and never shadows another agent;
 * - the result is sorted by name like the CLI (ASCII names first, case-insensitively).
 *
 * Not covered: managed (policy) agents, `--agents` JSON, `--add-dir` folders and agents a plugin
 * declares in its manifest instead of its `agents/` folder.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_OPTIONS` when `cwd` or `claudeConfigDir` is not absolute.
 * @example
 * ```ts
 * const agents = await listAgents({ cwd: '/repo', claudeConfigDir: '/home/me/.claude', plugins: [{ name: 'demo', path: '/p/demo' }] });
 * agents.filter((agent) => agent.error === undefined).map((agent) => agent.name); // ['claude', 'demo:demo-agent', 'Explore', …]
 * ```
 */
export async function listAgents(options: ListAgentsOptions): Promise<AgentInfo[]> {
  const cwd = requireAbsolute(options.cwd, 'cwd');
  const configDir = requireAbsolute(options.claudeConfigDir, 'claudeConfigDir');
  const home = requireAbsolute(options.homeDir ?? homedir(), 'homeDir');
  const plugins = (options.plugins ?? []).map((plugin, index) => {
    if (typeof plugin.name !== 'string' || plugin.name === '') {
      throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `listAgents: plugins[${index}].name must be a non-empty string.`);
    }
    return { name: plugin.name, path: requireAbsolute(plugin.path, `plugins[${index}].path`) };
  });

  const pluginAgents = (
    await Promise.all(
      plugins.map(async (plugin) => {
        const files = await collectPluginMarkdown(path.join(plugin.path, 'agents'));
        return Promise.all(files.map((entry) => readPluginAgent(plugin, entry)));
      }),
    )
  ).flat();

  // Same file reached twice (links): the CLI keeps the first of user, then project nearest-first.
  const projectFolders = await projectAgentFolders(cwd, home);
  const scanned = await Promise.all([
    collectMarkdown(path.join(configDir, 'agents')).then((files) => ({ source: 'user' as const, depth: -1, files })),
    ...projectFolders.map((folder, index) =>
      collectMarkdown(folder).then((files) => ({ source: 'project' as const, depth: projectFolders.length - index, files })),
    ),
  ]);
  const seen = new Set<string>();
  const settingsFiles: { source: 'user' | 'project'; depth: number; file: string }[] = [];
  for (const group of scanned) {
    for (const { file } of group.files) {
      const identity = await fileIdentity(file);
      if (identity !== undefined) {
        if (seen.has(identity)) continue;
        seen.add(identity);
      }
      settingsFiles.push({ source: group.source, depth: group.depth, file });
    }
  }
  // Precedence order: user, then project folders from the outermost to the nearest.
  const ordered = settingsFiles
    .map((entry, index) => ({ ...entry, index }))
    .sort((left, right) => left.depth - right.depth || left.index - right.index);
  const settingsAgents = await Promise.all(ordered.map((entry) => readSettingsAgent(entry.file, entry.source)));

  const active = new Map<string, AgentInfo>();
  const broken: AgentInfo[] = [];
  for (const agent of [...BUILT_IN_AGENTS.map(cloneAgent), ...pluginAgents, ...settingsAgents]) {
    if (agent.error !== undefined) broken.push(agent);
    else active.set(agent.name, agent);
  }
  return [...active.values(), ...broken].sort(
    (left, right) =>
      compareAgentNames(left.name, right.name) || Number(left.error !== undefined) - Number(right.error !== undefined),
  );
}

/**
 * Finds the agent a `subagent` argument names: an exact, case-sensitive match among the agents
 * Claude Code loads (entries with `error` are skipped, and explained when they match).
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_AGENT_NOT_FOUND`,
 * whose message lists the available names.
 * @example
 * ```ts
 * const agent = resolveAgentName('demo:demo-agent', await listAgents({ cwd, claudeConfigDir }));
 * ```
 */
export function resolveAgentName(name: string, agents: readonly AgentInfo[]): AgentInfo {
  const usable = agents.filter((agent) => agent.error === undefined);
  const available = [...new Set(usable.map((agent) => agent.name))].join(', ') || '(none)';
  if (typeof name !== 'string' || name.trim() === '') {
    throw new McpToolsError('MCP_TOOLS_AGENT_NOT_FOUND', `The subagent name must be a non-empty string. Available agents: ${available}.`);
  }
  const found = usable.find((agent) => agent.name === name);
  if (found) return found;
  const broken = agents.find((agent) => agent.name === name && agent.error !== undefined);
  if (broken) {
    throw new McpToolsError(
      'MCP_TOOLS_AGENT_NOT_FOUND',
      `The subagent "${name}" (${broken.path ?? 'no file'}) is ${broken.error ?? 'not loaded'}; fix the file or pick another. Available agents: ${available}.`,
    );
  }
  const lower = name.toLowerCase();
  const similar = usable.find((agent) => agent.name.toLowerCase() === lower || agent.name.endsWith(`:${name}`));
  throw new McpToolsError(
    'MCP_TOOLS_AGENT_NOT_FOUND',
    `Unknown subagent "${name}".${similar ? ` Did you mean "${similar.name}"?` : ''} Available agents: ${available}.`,
  );
}
