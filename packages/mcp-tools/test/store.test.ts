import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { McpToolsError, type McpToolsErrorCode } from '../src/errors.js';
import {
  MIGRATIONS,
  openStore,
  type ClaudeToolsStore,
  type Migration,
  type NewSessionRecord,
  type OpenStoreOptions,
} from '../src/store/index.js';
import { applyMigrations } from '../src/store/migrations.js';

let scratch: string;
let dataDir: string;
const opened: ClaudeToolsStore[] = [];

function open(options: Partial<OpenStoreOptions> = {}): ClaudeToolsStore {
  const store = openStore({ dataDir, ...options });
  opened.push(store);
  return store;
}

function session(id: string, overrides: Partial<NewSessionRecord> = {}): NewSessionRecord {
  return {
    id,
    cwd: '/work/project',
    model: null,
    createdAt: 1_000,
    lastUsedAt: 1_000,
    status: 'idle',
    parentId: null,
    ...overrides,
  };
}

function expectCode(work: () => unknown, code: McpToolsErrorCode, message?: RegExp): McpToolsError {
  let thrown: unknown;
  try {
    work();
  } catch (error) {
    thrown = error;
  }
  expect(McpToolsError.isInstance(thrown), `expected an McpToolsError ${code}, got ${String(thrown)}`).toBe(true);
  expect(thrown).toMatchObject({ code, name: 'McpToolsError' });
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
  return thrown as McpToolsError;
}

function migrationRows(store: ClaudeToolsStore): unknown[] {
  return store.database
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all()
    .map((row) => ({ ...row }));
}

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'mcp-tools-store-'));
  dataDir = path.join(scratch, 'nested', 'data');
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('openStore', () => {
  it('creates the data directory (0700) and a WAL database with busy_timeout and foreign keys', () => {
    const store = open();
    expect(store.path).toBe(path.join(dataDir, 'state.sqlite'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(store.path).isFile()).toBe(true);
    const pragma = (name: string): unknown => Object.values(store.database.prepare(`PRAGMA ${name}`).get() ?? {})[0];
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('busy_timeout')).toBe(5000);
    expect(pragma('foreign_keys')).toBe(1);
    expect(Object.isFrozen(store)).toBe(true);
  });

  it('rejects bad options with MCP_TOOLS_INVALID_OPTIONS', () => {
    expectCode(() => openStore({ dataDir: '' }), 'MCP_TOOLS_INVALID_OPTIONS', /dataDir/);
    expectCode(() => openStore({ dataDir: 'relative/dir' }), 'MCP_TOOLS_INVALID_OPTIONS', /absolute/);
    expectCode(() => openStore({} as OpenStoreOptions), 'MCP_TOOLS_INVALID_OPTIONS');
    expectCode(
      () => openStore({ dataDir, now: 42 as unknown as () => number }),
      'MCP_TOOLS_INVALID_OPTIONS',
      /now/,
    );
  });

  it('refuses a file that is not an SQLite database, saying so', () => {
    open().close();
    rmSync(path.join(dataDir, 'state.sqlite-wal'), { force: true });
    rmSync(path.join(dataDir, 'state.sqlite-shm'), { force: true });
    writeFileSync(path.join(dataDir, 'state.sqlite'), 'definitely not sqlite '.repeat(100));
    const error = expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /not a database/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('sessions', () => {
  it('inserts with defaults and reads back a frozen record', () => {
    const store = open();
    const inserted = store.insertSession(session('a', { model: 'claude-sonnet-4-5', parentId: 'origin' }));
    expect(inserted).toEqual({
      id: 'a',
      cwd: '/work/project',
      model: 'claude-sonnet-4-5',
      createdAt: 1_000,
      lastUsedAt: 1_000,
      turns: 0,
      costUsd: 0,
      status: 'idle',
      parentId: 'origin',
      lastError: null,
    });
    expect(Object.isFrozen(inserted)).toBe(true);
    expect(store.getSession('a')).toEqual(inserted);
    expect(Object.isFrozen(store.getSession('a'))).toBe(true);
    expect(store.getSession('missing')).toBeUndefined();

    const full = store.insertSession(session('b', { turns: 3, costUsd: 0.25, lastError: 'boom', status: 'failed' }));
    expect(full).toMatchObject({ turns: 3, costUsd: 0.25, lastError: 'boom', status: 'failed' });
  });

  it('stores snake_case columns', () => {
    const store = open();
    store.insertSession(session('a', { createdAt: 5, lastUsedAt: 6, parentId: 'p' }));
    const row = store.database.prepare('SELECT created_at, last_used_at, parent_id, cost_usd FROM sessions').get();
    expect({ ...row }).toEqual({
      created_at: 5,
      last_used_at: 6,
      parent_id: 'p',
      cost_usd: 0,
    });
  });

  it('refuses a duplicate id with MCP_TOOLS_STORE_FAILED and leaves the first row alone', () => {
    const store = open();
    store.insertSession(session('dup', { cwd: '/first' }));
    const error = expectCode(
      () => store.insertSession(session('dup', { cwd: '/second' })),
      'MCP_TOOLS_STORE_FAILED',
      /"dup".*already stored/,
    );
    expect(error.cause).toMatchObject({ code: 'ERR_SQLITE_ERROR' });
    expect(store.getSession('dup')?.cwd).toBe('/first');
  });

  it('validates records before writing', () => {
    const store = open();
    expectCode(() => store.insertSession(session('')), 'MCP_TOOLS_STORE_FAILED', /id must be a non-empty string/);
    expectCode(
      () => store.insertSession(session('x', { status: 'sleeping' as 'idle' })),
      'MCP_TOOLS_STORE_FAILED',
      /status must be one of idle, running/,
    );
    expectCode(() => store.insertSession(session('x', { costUsd: -1 })), 'MCP_TOOLS_STORE_FAILED', /costUsd/);
    expectCode(() => store.insertSession(session('x', { createdAt: 1.5 })), 'MCP_TOOLS_STORE_FAILED', /createdAt/);
    expectCode(
      () => store.insertSession(session('x', { model: undefined as unknown as null })),
      'MCP_TOOLS_STORE_FAILED',
      /model must be a string or null/,
    );
    expect(store.listSessions()).toEqual([]);
  });

  it('lists newest lastUsedAt first, with limit and status filter', () => {
    const store = open();
    store.insertSession(session('old', { lastUsedAt: 100 }));
    store.insertSession(session('new', { lastUsedAt: 300, status: 'running' }));
    store.insertSession(session('mid', { lastUsedAt: 200, status: 'closed' }));
    store.insertSession(session('mid-later-insert', { lastUsedAt: 200 }));

    expect(store.listSessions().map((s) => s.id)).toEqual(['new', 'mid-later-insert', 'mid', 'old']);
    expect(store.listSessions({ limit: 2 }).map((s) => s.id)).toEqual(['new', 'mid-later-insert']);
    expect(store.listSessions({ status: 'idle' }).map((s) => s.id)).toEqual(['mid-later-insert', 'old']);
    expect(store.listSessions({ status: 'idle', limit: 1 }).map((s) => s.id)).toEqual(['mid-later-insert']);
    expect(store.listSessions({ status: 'failed' })).toEqual([]);
    expect(store.listSessions().every((s) => Object.isFrozen(s))).toBe(true);

    store.recordTurn('old', { costUsd: 0, at: 400 });
    expect(store.listSessions({ limit: 1 })[0]?.id).toBe('old');

    expectCode(() => store.listSessions({ limit: 0 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
    expectCode(() => store.listSessions({ limit: 2.5 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
    expectCode(() => store.listSessions({ status: 'nope' as 'idle' }), 'MCP_TOOLS_STORE_FAILED', /status/);
  });

  it('deleteSession removes one session and says whether there was one', () => {
    const store = open();
    store.insertSession(session('gone'));
    store.insertSession(session('kept'));
    expect(store.deleteSession('gone')).toBe(true);
    expect(store.deleteSession('gone')).toBe(false);
    expect(store.getSession('gone')).toBeUndefined();
    expect(store.getSession('kept')).toBeDefined();
  });

  it('recordTurn counts turns, sums cost, moves lastUsedAt, sets idle and keeps or updates the model', () => {
    const store = open();
    store.insertSession(session('s', { status: 'running', model: 'first-model', lastError: 'earlier' }));

    const one = store.recordTurn('s', { costUsd: 0.1, at: 2_000 });
    expect(one).toMatchObject({
      turns: 1,
      lastUsedAt: 2_000,
      status: 'idle',
      model: 'first-model',
      lastError: 'earlier',
    });
    expect(one.costUsd).toBeCloseTo(0.1, 12);
    expect(Object.isFrozen(one)).toBe(true);

    store.setSessionStatus('s', 'running');
    store.recordTurn('s', { costUsd: 0.2, at: 3_000, model: null });
    const three = store.recordTurn('s', { costUsd: 0.05, at: 4_000, model: 'second-model' });
    expect(three).toMatchObject({ turns: 3, lastUsedAt: 4_000, status: 'idle', model: 'second-model' });
    // Summed without floating-point noise (0.1 + 0.2 + 0.05 is 0.35000000000000003 in doubles).
    expect(three.costUsd).toBe(0.35);
    expect(store.getSession('s')).toEqual(three);

    expectCode(() => store.recordTurn('ghost', { costUsd: 0, at: 1 }), 'MCP_TOOLS_SESSION_NOT_FOUND', /ghost/);
    expectCode(() => store.recordTurn('s', { costUsd: Number.NaN, at: 1 }), 'MCP_TOOLS_STORE_FAILED', /costUsd/);
    expectCode(() => store.recordTurn('s', { costUsd: 0, at: -1 }), 'MCP_TOOLS_STORE_FAILED', /at must/);
    expect(store.getSession('s')?.turns).toBe(3);
  });

  it('setSessionStatus changes the status and sets, keeps or clears lastError', () => {
    const store = open();
    store.insertSession(session('s'));
    store.setSessionStatus('s', 'running');
    expect(store.getSession('s')).toMatchObject({ status: 'running', lastError: null });
    store.setSessionStatus('s', 'failed', 'the CLI exited with code 1');
    expect(store.getSession('s')).toMatchObject({ status: 'failed', lastError: 'the CLI exited with code 1' });
    store.setSessionStatus('s', 'idle');
    expect(store.getSession('s')).toMatchObject({ status: 'idle', lastError: 'the CLI exited with code 1' });
    store.setSessionStatus('s', 'closed', null);
    expect(store.getSession('s')).toMatchObject({ status: 'closed', lastError: null });

    expectCode(() => store.setSessionStatus('ghost', 'idle'), 'MCP_TOOLS_SESSION_NOT_FOUND', /ghost/);
    expectCode(() => store.setSessionStatus('s', 'done' as 'idle'), 'MCP_TOOLS_STORE_FAILED', /status/);
  });

  it('markRunningAsInterrupted turns only running sessions into interrupted ones', () => {
    const store = open();
    store.insertSession(session('r1', { status: 'running' }));
    store.insertSession(session('r2', { status: 'running' }));
    store.insertSession(session('i', { status: 'idle' }));
    store.insertSession(session('c', { status: 'closed' }));

    expect(store.markRunningAsInterrupted()).toBe(2);
    expect(store.getSession('r1')?.status).toBe('interrupted');
    expect(store.getSession('r1')?.lastError).toMatch(/stopped while this session was running/);
    expect(store.getSession('r2')?.status).toBe('interrupted');
    expect(store.getSession('i')).toMatchObject({ status: 'idle', lastError: null });
    expect(store.getSession('c')?.status).toBe('closed');
    expect(store.markRunningAsInterrupted()).toBe(0);
  });
});

describe('persistence and lifecycle', () => {
  it('keeps data across close and reopen', () => {
    const first = open();
    first.insertSession(session('kept', { status: 'running' }));
    first.recordTurn('kept', { costUsd: 1.5, at: 9_000, model: 'm' });
    first.setSessionStatus('kept', 'running');
    first.close();

    const second = open();
    expect(second.markRunningAsInterrupted()).toBe(1);
    expect(second.getSession('kept')).toMatchObject({
      turns: 1,
      costUsd: 1.5,
      lastUsedAt: 9_000,
      model: 'm',
      status: 'interrupted',
    });
  });

  it('close is idempotent, and a closed store refuses work with MCP_TOOLS_STORE_FAILED', () => {
    const store = open();
    store.close();
    store.close();
    expectCode(() => store.getSession('a'), 'MCP_TOOLS_STORE_FAILED', /closed/);
    expectCode(() => store.insertSession(session('a')), 'MCP_TOOLS_STORE_FAILED', /closed/);
    expectCode(() => store.transaction(() => 1), 'MCP_TOOLS_STORE_FAILED', /closed/);
  });
});

describe('migrations', () => {
  it('records each migration once, and reopening does not run them again', () => {
    const first = open({ now: () => 111 });
    const expected = MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 111 }));
    expect(migrationRows(first)).toEqual(expected);
    first.close();

    const second = open({ now: () => 222 });
    expect(migrationRows(second)).toEqual(expected);
  });

  it('versions run 1, 2, 3, …', () => {
    MIGRATIONS.forEach((migration, index) => expect(migration.version).toBe(index + 1));
    expect(Object.isFrozen(MIGRATIONS)).toBe(true);
  });

  it('applies only appended migrations, once each', () => {
    open().close();
    let runs = 0;
    const appended: readonly Migration[] = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'test-appended',
        up(db) {
          runs += 1;
          db.exec('CREATE TABLE test_appended (id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions (id)) STRICT');
        },
      },
    ];
    const database = new DatabaseSync(path.join(dataDir, 'state.sqlite'));
    try {
      expect(applyMigrations(database, appended, () => 5, 'test')).toEqual([MIGRATIONS.length + 1]);
      expect(applyMigrations(database, appended, () => 6, 'test')).toEqual([]);
      expect(runs).toBe(1);
    } finally {
      database.close();
    }
    // The database is now ahead of the code's MIGRATIONS, so openStore refuses it.
    expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /newer version of the server/);
  });

  it('rolls every pending migration back when one fails', () => {
    const database = new DatabaseSync(path.join(scratch, 'fresh.sqlite'));
    try {
      const failing: readonly Migration[] = [
        ...MIGRATIONS,
        {
          version: MIGRATIONS.length + 1,
          name: 'broken',
          up(db) {
            db.exec('CREATE TABLE half_done (x INTEGER)');
            throw new Error('kaboom');
          },
        },
      ];
      expectCode(
        () => applyMigrations(database, failing, Date.now, 'test'),
        'MCP_TOOLS_STORE_FAILED',
        /apply migration \d+ \(broken\).*nothing was migrated.*kaboom/,
      );
      const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
      expect(tables).not.toContain('sessions');
      expect(tables).not.toContain('half_done');
      expect(tables).not.toContain('schema_migrations');
      expect(database.isOpen).toBe(true);
    } finally {
      database.close();
    }
  });

  it('rejects a malformed migration list', () => {
    const database = new DatabaseSync(':memory:');
    try {
      const gap: readonly Migration[] = [{ version: 2, name: 'skipped-one', up: () => undefined }];
      expectCode(() => applyMigrations(database, gap, Date.now, 'test'), 'MCP_TOOLS_STORE_FAILED', /without gaps/);
    } finally {
      database.close();
    }
  });

  it('refuses a database written by a newer server and tells to upgrade', () => {
    const store = open();
    store.database
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(999, 'future', 1);
    store.close();
    const error = expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /schema version 999/);
    expect(error.message).toMatch(/Upgrade the server/);
  });
});

describe('transaction', () => {
  it('commits the work and returns its result', () => {
    const store = open();
    const result = store.transaction(() => {
      store.insertSession(session('a'));
      store.insertSession(session('b'));
      return 'done';
    });
    expect(result).toBe('done');
    expect(store.listSessions()).toHaveLength(2);
  });

  it('rolls back everything on throw and rethrows the same error', () => {
    const store = open();
    store.insertSession(session('before'));
    const failure = new Error('changed my mind');
    expect(() =>
      store.transaction(() => {
        store.insertSession(session('inside'));
        store.setSessionStatus('before', 'closed');
        throw failure;
      }),
    ).toThrow(failure);
    expect(store.listSessions().map((s) => s.id)).toEqual(['before']);
    expect(store.getSession('before')?.status).toBe('idle');
    // The connection is usable again.
    store.transaction(() => store.insertSession(session('after')));
    expect(store.getSession('after')).toBeDefined();
  });

  it('nests through savepoints: a caught inner failure undoes only the inner part', () => {
    const store = open();
    store.transaction(() => {
      store.insertSession(session('outer'));
      expect(() =>
        store.transaction(() => {
          store.insertSession(session('inner'));
          throw new Error('inner failure');
        }),
      ).toThrow('inner failure');
      store.transaction(() => store.insertSession(session('inner-ok')));
    });
    expect(store.listSessions().map((s) => s.id).sort()).toEqual(['inner-ok', 'outer']);
  });

  it('refuses async work and rolls it back', () => {
    const store = open();
    expectCode(
      () =>
        store.transaction(async () => {
          store.insertSession(session('sync-part'));
          await Promise.resolve();
        }),
      'MCP_TOOLS_STORE_FAILED',
      /synchronous/,
    );
    expect(store.getSession('sync-part')).toBeUndefined();
  });
});

describe('concurrent connections', () => {
  it('two stores on one data directory see each other’s committed writes', () => {
    const a = open();
    const b = open();
    a.insertSession(session('from-a'));
    expect(b.getSession('from-a')?.id).toBe('from-a');
    b.recordTurn('from-a', { costUsd: 0.5, at: 5_000 });
    expect(a.getSession('from-a')).toMatchObject({ turns: 1, costUsd: 0.5 });
  });

  it('readers are not blocked by another connection’s open write transaction (WAL)', () => {
    const a = open();
    const b = open();
    a.insertSession(session('committed'));
    a.transaction(() => {
      a.insertSession(session('pending'));
      expect(b.getSession('pending')).toBeUndefined();
      expect(b.listSessions().map((s) => s.id)).toEqual(['committed']);
    });
    expect(b.getSession('pending')).toBeDefined();
  });

  it('waits (busy_timeout) for another process that holds the write lock', async () => {
    const store = open();
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        '--input-type=module',
        '-e',
        `
          import { DatabaseSync } from 'node:sqlite';
          const db = new DatabaseSync(process.env.STATE_DB);
          db.exec('PRAGMA busy_timeout = 5000');
          db.exec('BEGIN IMMEDIATE');
          db.prepare("INSERT INTO sessions (id, cwd, model, created_at, last_used_at, status) VALUES ('from-child', '/c', NULL, 1, 1, 'idle')").run();
          process.stdout.write('locked\\n');
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
          db.exec('COMMIT');
          db.close();
        `,
      ],
      { env: { ...process.env, STATE_DB: store.path }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(child, 'exit');
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toContain('locked');

    const started = Date.now();
    store.insertSession(session('from-parent')); // blocks until the child commits
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(store.listSessions().map((s) => s.id).sort()).toEqual(['from-child', 'from-parent']);
  });
});
