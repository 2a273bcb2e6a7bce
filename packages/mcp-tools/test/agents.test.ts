import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BUILT_IN_AGENTS, listAgents, parseToolList, readFrontmatter, resolveAgentName, type AgentInfo } from '../src/agents/index.js';
import { McpToolsError } from '../src/errors.js';

let scratch: string;
let home: string;
let configDir: string;
let repo: string;
let cwd: string;

function agentFile(name: string, description: string, extra = ''): string {
  return `---\nname: ${name}\ndescription: ${description}\n${extra}---\nYou are ${name}.\n`;
}

async function put(file: string, text: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

function byName(agents: readonly AgentInfo[], name: string): AgentInfo | undefined {
  return agents.find((agent) => agent.name === name && agent.error === undefined);
}

beforeEach(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'mcp-tools-agents-')));
  home = path.join(scratch, 'home');
  configDir = path.join(home, '.claude');
  repo = path.join(scratch, 'repo');
  cwd = path.join(repo, 'packages', 'app');
  await mkdir(configDir, { recursive: true });
  await mkdir(cwd, { recursive: true });
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('readFrontmatter and parseToolList', () => {
  it('parses the block like the CLI: BOM, CRLF, duplicate keys, lenient fallback, lazy end marker', () => {
    expect(readFrontmatter('\uFEFF---\r\nname: a\r\ndescription: b\r\n---\r\nbody').data).toEqual({ name: 'a', description: 'b' });
    expect(readFrontmatter('---\nname: a\ndescription: one\ndescription: two\n---\n').data['description']).toBe('two');
    const lenient = readFrontmatter('---\nname: a\ndescription: a: b: c\ntools: [Read\n---\n');
    expect(lenient).toMatchObject({ lenient: true, data: { description: 'a: b: c', tools: '[Read' } });
    expect(readFrontmatter('---\nname: a\ndescription: x---y\n---\n').data['description']).toBe('x');
    expect(readFrontmatter('---\nname: a\ndescription: "open\n---\n').error).toMatch(/not valid YAML/);
    expect(readFrontmatter('---\n- a\n- b\n---\n').error).toMatch(/must be a YAML mapping/);
    expect(readFrontmatter('\n---\nname: a\n---\n').present).toBe(false);
    expect(readFrontmatter('no frontmatter').present).toBe(false);
  });

  it('reads tool lists: commas and spaces outside parentheses, * for all, empty for none', () => {
    expect(parseToolList('Read, Grep')).toEqual(['Read', 'Grep']);
    expect(parseToolList('Bash(git diff, git log), Read Grep')).toEqual(['Bash(git diff, git log)', 'Read', 'Grep']);
    expect(parseToolList(['Read', 'Write, Edit', 3])).toEqual(['Read', 'Write', 'Edit']);
    expect(parseToolList('*')).toBeNull();
    expect(parseToolList(['Read', '*'])).toBeNull();
    expect(parseToolList(undefined)).toBeUndefined();
    expect(parseToolList('')).toEqual([]);
    expect(parseToolList(null)).toEqual([]);
  });
});

describe('listAgents on files', () => {
  it('lists only the built-ins when there are no agent files', async () => {
    const agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    expect(agents.map((agent) => agent.name)).toEqual(['claude', 'Explore', 'general-purpose', 'Plan', 'statusline-setup']);
    expect(agents.every((agent) => agent.source === 'built-in' && agent.path === null)).toBe(true);
    expect(byName(agents, 'statusline-setup')).toMatchObject({ tools: ['Read', 'Edit'], model: 'sonnet' });
    expect(byName(agents, 'Explore')?.disallowedTools).toContain('Write');
    // The result is a copy: editing it leaves the catalogue alone.
    byName(agents, 'statusline-setup')?.tools?.push('Bash');
    expect(BUILT_IN_AGENTS.find((agent) => agent.name === 'statusline-setup')?.tools).toEqual(['Read', 'Edit']);
  });

  it('reads project and user agents, sub-folders included, with tools, model and description', async () => {
    const reviewer = await put(
      path.join(cwd, '.claude', 'agents', 'reviewer.md'),
      agentFile('reviewer', 'Reviews diffs\\nCarefully', 'tools: Read, Grep\nmodel: " Inherit "\ndisallowedTools:\n  - Bash\n'),
    );
    await put(path.join(cwd, '.claude', 'agents', 'team', 'deep.md'), agentFile('deep-one', 'In a sub-folder', 'tools:\n  - Read\n  - Bash(git *)\n'));
    const helper = await put(path.join(configDir, 'agents', 'helper.md'), agentFile('helper', 'User helper', 'model: haiku\n'));
    await put(path.join(cwd, '.claude', 'agents', 'notes.txt'), agentFile('not-md', 'ignored'));
    await put(path.join(cwd, '.claude', 'agents', 'LOUD.MD'), agentFile('loud', 'ignored: the suffix is case-sensitive here'));

    const agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    expect(byName(agents, 'reviewer')).toEqual({
      name: 'reviewer',
      description: 'Reviews diffs\nCarefully',
      tools: ['Read', 'Grep'],
      disallowedTools: ['Bash'],
      model: 'inherit',
      source: 'project',
      path: reviewer,
    });
    expect(byName(agents, 'deep-one')).toMatchObject({ tools: ['Read', 'Bash(git *)'], model: null, source: 'project' });
    expect(byName(agents, 'helper')).toMatchObject({ source: 'user', model: 'haiku', tools: null, path: helper });
    expect(agents.some((agent) => agent.name === 'not-md' || agent.name === 'loud')).toBe(false);
  });

  it('resolves name clashes like the CLI: project over user over built-in, nearest folder and later file last', async () => {
    await put(path.join(configDir, 'agents', 'shared.md'), agentFile('shared', 'USER'));
    await put(path.join(configDir, 'agents', 'plan.md'), agentFile('Plan', 'user Plan'));
    await put(path.join(repo, '.claude', 'agents', 'shared.md'), agentFile('shared', 'REPO ROOT'));
    await put(path.join(repo, '.claude', 'agents', 'root-only.md'), agentFile('root-only', 'from the repo root'));
    await put(path.join(cwd, '.claude', 'agents', 'shared.md'), agentFile('shared', 'CWD'));
    await put(path.join(cwd, '.claude', 'agents', 'a-dup.md'), agentFile('dup', 'first file'));
    await put(path.join(cwd, '.claude', 'agents', 'z-dup.md'), agentFile('dup', 'second file'));
    await put(path.join(scratch, '.claude', 'agents', 'outside.md'), agentFile('outside-repo', 'above the git root'));

    // Without a git root the walk goes up to the file-system root (the home folder is not an ancestor).
    let agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    expect(byName(agents, 'shared')).toMatchObject({ description: 'CWD', source: 'project' });
    expect(byName(agents, 'Plan')).toMatchObject({ description: 'user Plan', source: 'user' });
    expect(byName(agents, 'dup')?.description).toBe('second file');
    expect(byName(agents, 'root-only')?.source).toBe('project');
    expect(byName(agents, 'outside-repo')).toBeDefined();
    expect(agents.filter((agent) => agent.name === 'shared')).toHaveLength(1);

    // A git root ends the walk (it is included); so does the home folder (excluded).
    await mkdir(path.join(repo, '.git'));
    agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    expect(byName(agents, 'root-only')).toBeDefined();
    expect(byName(agents, 'outside-repo')).toBeUndefined();
    agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: repo });
    expect(byName(agents, 'root-only')).toBeUndefined();
    expect(byName(agents, 'shared')?.description).toBe('CWD');
  });

  it('lists malformed files with an error, never throws, and never lets them shadow a good agent', async () => {
    const folder = path.join(cwd, '.claude', 'agents');
    await put(path.join(folder, 'good.md'), agentFile('good', 'fine'));
    const badYaml = await put(path.join(folder, 'bad-yaml.md'), '---\nname: good\ndescription: "unclosed\n---\nbody\n');
    await put(path.join(folder, 'no-name.md'), '---\ndescription: has no name\n---\nbody\n');
    await put(path.join(folder, 'no-description.md'), '---\nname: no-description\n---\nbody\n');
    await put(path.join(folder, 'number-description.md'), '---\nname: number-description\ndescription: 42\n---\nbody\n');
    await put(path.join(folder, 'colon.md'), agentFile('"a:b"', 'colons are for plugins'));
    await put(path.join(folder, 'dash.md'), agentFile('-dash', 'looks like a flag'));
    await put(path.join(folder, 'prose.md'), '# Just notes\n');
    await put(path.join(folder, 'list.md'), '---\n- a\n---\nbody\n');
    await put(path.join(folder, 'lenient.md'), agentFile('lenient', '[bracketed'));

    const agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    const errors = Object.fromEntries(agents.filter((agent) => agent.error !== undefined).map((agent) => [path.basename(agent.path ?? ''), agent.error]));
    const expected: Record<string, RegExp> = {
      'bad-yaml.md': /^not loaded by Claude Code: the frontmatter is not valid YAML/,
      'no-name.md': /missing required "name"/,
      'no-description.md': /missing required "description"/,
      'number-description.md': /missing required "description"/,
      'colon.md': /must not contain ":"/,
      'dash.md': /must not start with "-"/,
      'prose.md': /no frontmatter/,
      'list.md': /must be a YAML mapping/,
    };
    expect(Object.keys(errors).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, pattern] of Object.entries(expected)) expect(errors[file], file).toMatch(pattern);
    expect(agents.find((agent) => agent.path === badYaml)?.name).toBe('bad-yaml');
    expect(byName(agents, 'good')?.description).toBe('fine');
    expect(byName(agents, 'lenient')?.description).toBe('[bracketed');
    expect(byName(agents, 'lenient')?.warning).toMatch(/not strict YAML/);
    expect(() => resolveAgentName('no-description', agents)).toThrow(/not loaded by Claude Code/);
  });

  it('names plugin agents <plugin>:<sub-folders>:<name> and reads them leniently', async () => {
    const plugin = path.join(scratch, 'plugins', 'demo');
    await put(path.join(plugin, 'agents', 'demo-agent.md'), agentFile('demo-agent', 'Demo agent', 'tools: Read\nmodel: haiku\n'));
    await put(path.join(plugin, 'agents', 'file-name.md'), agentFile('from-frontmatter', 'named in frontmatter'));
    await put(path.join(plugin, 'agents', 'sub', 'nested.md'), agentFile('inner', 'nested'));
    await put(path.join(plugin, 'agents', 'nameless.md'), '---\ndescription: "  trimmed  "\n---\nbody\n');
    await put(path.join(plugin, 'agents', 'broken.md'), '---\nname: ignored\ndescription: "unclosed\nmodel: haiku\n---\nbody\n');
    await put(path.join(plugin, 'agents', 'SHOUT.MD'), agentFile('shout', 'upper-case suffix counts for plugins'));
    await put(path.join(plugin, 'agents', 'bare.md'), 'no frontmatter at all\n');
    await put(path.join(scratch, 'elsewhere', 'linked.md'), agentFile('linked', 'behind a link'));
    await symlink(path.join(scratch, 'elsewhere'), path.join(plugin, 'agents', 'link-dir'));
    await put(path.join(cwd, '.claude', 'agents', 'demo-agent.md'), agentFile('demo-agent', 'project agent of the same base name'));

    const agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home, plugins: [{ name: 'demo', path: plugin }] });
    const plugins = agents.filter((agent) => agent.source === 'plugin');
    expect(plugins.map((agent) => agent.name)).toEqual([
      'demo:bare',
      'demo:broken',
      'demo:demo-agent',
      'demo:from-frontmatter',
      'demo:nameless',
      'demo:shout',
      'demo:sub:inner',
    ]);
    expect(byName(agents, 'demo:demo-agent')).toMatchObject({ description: 'Demo agent', tools: ['Read'], model: 'haiku' });
    expect(byName(agents, 'demo:nameless')?.description).toBe('trimmed');
    expect(byName(agents, 'demo:bare')?.description).toBe('Agent from demo plugin');
    expect(byName(agents, 'demo:broken')).toMatchObject({ description: 'Agent from demo plugin', model: null });
    expect(byName(agents, 'demo:broken')?.warning).toMatch(/name taken from the file name/);
    expect(byName(agents, 'demo-agent')?.source).toBe('project');
  });

  it('rejects relative paths in its options', async () => {
    await expect(listAgents({ cwd: 'relative', claudeConfigDir: configDir })).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    await expect(listAgents({ cwd, claudeConfigDir: '~/.claude' })).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    await expect(
      listAgents({ cwd, claudeConfigDir: configDir, plugins: [{ name: 'x', path: 'plugins/x' }] }),
    ).rejects.toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
  });
});

describe('resolveAgentName', () => {
  it('returns the agent or throws an error listing the available names', async () => {
    await put(path.join(cwd, '.claude', 'agents', 'reviewer.md'), agentFile('reviewer', 'Reviews'));
    const agents = await listAgents({ cwd, claudeConfigDir: configDir, homeDir: home });
    expect(resolveAgentName('reviewer', agents).source).toBe('project');
    expect(resolveAgentName('Explore', agents).source).toBe('built-in');

    const error: unknown = (() => {
      try {
        resolveAgentName('explore', agents);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(McpToolsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MCP_TOOLS_AGENT_NOT_FOUND' });
    expect((error as Error).message).toBe(
      'Unknown subagent "explore". Did you mean "Explore"? Available agents: claude, Explore, general-purpose, Plan, reviewer, statusline-setup.',
    );
    expect(() => resolveAgentName('', agents)).toThrow(/non-empty/);
    expect(() => resolveAgentName('demo-agent', [...agents, { ...agents[0]!, name: 'demo:demo-agent', source: 'plugin' }])).toThrow(
      /Did you mean "demo:demo-agent"\?/,
    );
  });
});
