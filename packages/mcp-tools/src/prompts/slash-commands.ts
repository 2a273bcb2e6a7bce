// Claude Code's custom slash commands, read the way the CLI reads them: `.claude/commands/**/*.md`
// of the project and `<claudeConfigDir>/commands/**/*.md` of the user, a subfolder making a
// namespace (`team/review.md` is `/team:review`), YAML frontmatter for the details.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Most command files read from one folder tree. */
const MAX_COMMANDS = 500;
/** Largest command file read, in bytes. */
const MAX_FILE_BYTES = 256 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * A custom slash command.
 *
 * @example
 * ```ts
 * const line = (command: SlashCommand): string => `/${command.name} ${command.argumentHint ?? ''} — ${command.description}`;
 * ```
 */
export interface SlashCommand {
  /** What follows the slash: `greet`, or `team:review` for `team/review.md`. */
  readonly name: string;
  readonly description: string;
  /** The frontmatter's `argument-hint`, such as `<file> [focus]`. */
  readonly argumentHint: string | undefined;
  readonly source: 'project' | 'user';
  readonly path: string;
}

/** Where the commands are: the project's folder and Claude Code's config folder. */
export interface SlashCommandFolders {
  readonly cwd: string;
  readonly claudeConfigDir: string;
}

/** The folders the commands live in, project first. */
export function commandFolders(folders: SlashCommandFolders): readonly { source: SlashCommand['source']; root: string }[] {
  return [
    { source: 'project', root: path.join(folders.cwd, '.claude', 'commands') },
    { source: 'user', root: path.join(folders.claudeConfigDir, 'commands') },
  ];
}

/**
 * The commands of the project and the user, sorted by name; a project command hides a user one of
 * the same name. Unreadable, oversized or oddly named files are skipped.
 *
 * @example
 * ```ts
 * const commands = await listSlashCommands({ cwd: '/repo', claudeConfigDir: '/home/me/.claude' });
 * ```
 */
export async function listSlashCommands(folders: SlashCommandFolders): Promise<SlashCommand[]> {
  const { readFrontmatter } = await import('../agents/frontmatter.js');
  const found = new Map<string, SlashCommand>();
  for (const { source, root } of commandFolders(folders)) {
    for (const file of await markdownFiles(root)) {
      const name = path.relative(root, file).slice(0, -'.md'.length).split(path.sep).join(':');
      if (!NAME.test(name) || found.has(name)) continue;
      const text = await readSmall(file);
      if (text === undefined) continue;
      const { data, body } = readFrontmatter(text);
      const description = typeof data['description'] === 'string' && data['description'].trim() ? data['description'].trim() : firstLine(body);
      const hint = data['argument-hint'];
      found.set(name, Object.freeze({ name, description, argumentHint: typeof hint === 'string' && hint.trim() ? hint.trim() : undefined, source, path: file }));
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function markdownFiles(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root, { recursive: true });
  } catch {
    return []; // no such folder: no commands
  }
  return entries
    .filter((entry) => entry.endsWith('.md'))
    .slice(0, MAX_COMMANDS)
    .map((entry) => path.join(root, entry));
}

async function readSmall(file: string): Promise<string | undefined> {
  try {
    const stats = await stat(file);
    if (!stats.isFile() || stats.size > MAX_FILE_BYTES) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function firstLine(body: string): string {
  const line = body.split('\n').find((candidate) => candidate.trim() !== '')?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}…` : line || 'A Claude Code command';
}
