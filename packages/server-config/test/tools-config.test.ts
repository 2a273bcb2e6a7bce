import { describe, expect, it } from 'vitest';

import { ConfigError, parseToolsConfig as parseConfig, type ConfigContext } from '../src/index.js';

const context: ConfigContext = { cwd: '/work/project', homeDirectory: '/home/me' };

function problemsOf(env: Record<string, string | undefined>, ctx: ConfigContext = context): readonly string[] {
  try {
    parseConfig(env, ctx);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as ConfigError).problems;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig (stdio)', () => {
  it('applies every default to an empty environment', () => {
    const config = parseConfig({}, context);
    expect(config).toEqual({
      defaultWorkingDirectory: '/work/project',
      defaultAllowedTools: [],
      maxConcurrentSessions: 4,
      sessionTimeoutMs: 1_800_000,
      logLevel: 'info',
      claudeCodePath: undefined,
      dataDir: '/home/me/.local/state/claude-code-mcp',
      allowedRoots: ['/work/project'],
      permissionPolicy: 'deny',
      maxResultChars: 40_000,
      claudeConfigDir: '/home/me/.claude',
      permissionTimeoutMs: 120_000,
      hookDirectories: [],
      autoCheckpoint: false,
      backgroundTasksOnShutdown: 'continue',
      allowedMarketplaces: [],
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.defaultAllowedTools)).toBe(true);
  });

  it('reads every variable', () => {
    const config = parseConfig(
      {
        DEFAULT_WORKING_DIRECTORY: '/srv/repos',
        DEFAULT_ALLOWED_TOOLS: ' Read, Edit ,Bash(git add:*,git commit:*),,Read',
        MAX_CONCURRENT_SESSIONS: '8',
        SESSION_TIMEOUT_MS: '60000',
        LOG_LEVEL: 'DEBUG',
        CLAUDE_CODE_PATH: '/opt/claude/bin/claude',
        DATA_DIR: '/var/lib/claude-code-mcp',
        ALLOWED_ROOTS: '/srv/repos, ~/code',
        PERMISSION_POLICY: 'ALLOW',
        MAX_RESULT_CHARS: '5000',
        CLAUDE_CONFIG_DIR: '/etc/claude',
        PERMISSION_TIMEOUT_MS: '5000',
        HOOK_DIRECTORIES: '~/hooks',
        AUTO_CHECKPOINT: 'yes',
        BACKGROUND_TASKS_ON_SHUTDOWN: 'Stop',
        ALLOWED_MARKETPLACES: 'anthropics/claude-plugins-official, https://plugins.example.com/market.git',
        UNRELATED: 'ignored',
      },
      context,
    );
    expect(config).toEqual({
      defaultWorkingDirectory: '/srv/repos',
      defaultAllowedTools: ['Read', 'Edit', 'Bash(git add:*,git commit:*)'],
      maxConcurrentSessions: 8,
      sessionTimeoutMs: 60_000,
      logLevel: 'debug',
      claudeCodePath: '/opt/claude/bin/claude',
      dataDir: '/var/lib/claude-code-mcp',
      allowedRoots: ['/srv/repos', '/home/me/code'],
      permissionPolicy: 'allow',
      maxResultChars: 5000,
      claudeConfigDir: '/etc/claude',
      permissionTimeoutMs: 5000,
      hookDirectories: ['/home/me/hooks'],
      autoCheckpoint: true,
      backgroundTasksOnShutdown: 'stop',
      allowedMarketplaces: ['anthropics/claude-plugins-official', 'https://plugins.example.com/market.git'],
    });
  });

  it('refuses timeouts longer than a Node timer can wait', () => {
    expect(() => parseConfig({ SESSION_TIMEOUT_MS: '3000000000' }, context)).toThrow(/SESSION_TIMEOUT_MS/);
    expect(() => parseConfig({ PERMISSION_TIMEOUT_MS: '3000000000' }, context)).toThrow(/PERMISSION_TIMEOUT_MS/);
  });

  it('treats blank variables as unset', () => {
    expect(parseConfig({ MAX_CONCURRENT_SESSIONS: '  ', LOG_LEVEL: '' }, context)).toMatchObject({
      maxConcurrentSessions: 4,
      logLevel: 'info',
    });
  });

  it('resolves relative and ~ paths against the passed-in cwd and home', () => {
    const config = parseConfig(
      { DEFAULT_WORKING_DIRECTORY: 'sub/dir', DATA_DIR: '~/mcp-data', CLAUDE_CODE_PATH: './bin/claude' },
      context,
    );
    expect(config.defaultWorkingDirectory).toBe('/work/project/sub/dir');
    expect(config.dataDir).toBe('/home/me/mcp-data');
    expect(config.claudeCodePath).toBe('/work/project/bin/claude');
    expect(parseConfig({ DEFAULT_WORKING_DIRECTORY: '~' }, context).defaultWorkingDirectory).toBe('/home/me');
  });

  it('keeps a bare CLAUDE_CODE_PATH command name for PATH lookup', () => {
    expect(parseConfig({ CLAUDE_CODE_PATH: 'claude' }, context).claudeCodePath).toBe('claude');
  });

  it('puts DATA_DIR under an absolute XDG_STATE_HOME, ignoring a relative one', () => {
    expect(parseConfig({ XDG_STATE_HOME: '/xdg/state' }, context).dataDir).toBe('/xdg/state/claude-code-mcp');
    expect(parseConfig({ XDG_STATE_HOME: 'relative/state' }, context).dataDir).toBe(
      '/home/me/.local/state/claude-code-mcp',
    );
  });

  it.each([
    ['MAX_CONCURRENT_SESSIONS', '0', 'MAX_CONCURRENT_SESSIONS: must be a whole number 1 or more (got "0"); e.g. MAX_CONCURRENT_SESSIONS=4'],
    ['MAX_CONCURRENT_SESSIONS', '2.5', 'MAX_CONCURRENT_SESSIONS: must be a whole number 1 or more (got "2.5"); e.g. MAX_CONCURRENT_SESSIONS=4'],
    ['MAX_CONCURRENT_SESSIONS', '-1', 'MAX_CONCURRENT_SESSIONS: must be a whole number 1 or more (got "-1"); e.g. MAX_CONCURRENT_SESSIONS=4'],
    ['MAX_CONCURRENT_SESSIONS', '1e3', 'MAX_CONCURRENT_SESSIONS: must be a whole number 1 or more (got "1e3"); e.g. MAX_CONCURRENT_SESSIONS=4'],
    ['SESSION_TIMEOUT_MS', '30', 'SESSION_TIMEOUT_MS: must be a whole number of milliseconds, from 1000 to 2147483647 (got "30"); e.g. SESSION_TIMEOUT_MS=1800000 (30 minutes)'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose"); e.g. LOG_LEVEL=info'],
    ['DEFAULT_ALLOWED_TOOLS', 'Read,Bash(git *', 'DEFAULT_ALLOWED_TOOLS: has unbalanced parentheses (got "Read,Bash(git *"); close every "(" in DEFAULT_ALLOWED_TOOLS, e.g. DEFAULT_ALLOWED_TOOLS=Read,Bash(git status:*)'],
    ['DEFAULT_ALLOWED_TOOLS', 'Read)', 'DEFAULT_ALLOWED_TOOLS: has unbalanced parentheses (got "Read)"); close every "(" in DEFAULT_ALLOWED_TOOLS, e.g. DEFAULT_ALLOWED_TOOLS=Read,Bash(git status:*)'],
  ])('reports a bad %s=%j as one readable line', (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it('reports every problem at once, one line each, in documented order', () => {
    const problems = problemsOf({ LOG_LEVEL: 'loud', MAX_CONCURRENT_SESSIONS: 'many', SESSION_TIMEOUT_MS: '5' });
    expect(problems.map((line) => line.split(':')[0])).toEqual([
      'MAX_CONCURRENT_SESSIONS',
      'SESSION_TIMEOUT_MS',
      'LOG_LEVEL',
    ]);
    let message = '';
    try {
      parseConfig({ LOG_LEVEL: 'loud', MAX_CONCURRENT_SESSIONS: 'many', SESSION_TIMEOUT_MS: '5' }, context);
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ code: 'SERVER_CONFIG_INVALID', name: 'ConfigError' });
      expect((error as Error).cause).toBeDefined();
    }
    expect(message.split('\n')).toEqual([
      'Invalid configuration (3 problems):',
      ...problems.map((line) => `  - ${line}`),
    ]);
  });

  it('rejects a relative context instead of reading the process', () => {
    expect(problemsOf({}, { cwd: 'relative', homeDirectory: '/home/me' })).toEqual([
      'context.cwd: must be an absolute path',
    ]);
  });
});
