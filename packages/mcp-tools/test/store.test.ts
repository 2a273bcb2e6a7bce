import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStore, type ClaudeToolsStore, type OpenStoreOptions } from '../src/store/index.js';
import { applyMigrations, MIGRATIONS, type Migration } from '../src/store/sqlite/migrations.js';
import { openConnection } from '../src/store/sqlite/open-store.js';
import { createTransaction } from '../src/store/sqlite/transaction.js';
import { describeStoreContract, expectCode, session } from './store-contract.js';

let scratch: string;
let dataDir: string;
const opened: ClaudeToolsStore[] = [];

function open(options: Partial<OpenStoreOptions> = {}): Promise<ClaudeToolsStore> {
  const store = openStore({ dataDir, ...options });
  opened.push(store);
  return Promise.resolve(store);
}

const databaseFile = (): string => path.join(dataDir, 'state.sqlite');

/** Works on the database file through a connection of its own (the store exposes none). */
function withDatabase<T>(work: (database: DatabaseSync) => T): T {
  const database = new DatabaseSync(databaseFile());
  try {
    return work(database);
  } finally {
    database.close();
  }
}

function migrationRows(): unknown[] {
  return withDatabase((database) =>
    database
      .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
      .all()
      .map((row) => ({ ...row })),
  );
}

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'mcp-tools-store-'));
  dataDir = path.join(scratch, 'nested', 'data');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

describeStoreContract('SQLite store', () => open());

describe('openStore', () => {
  it('creates the data directory (0700) and a WAL database with busy_timeout and foreign keys', async () => {
    const store = await open();
    expect(store.location).toBe(databaseFile());
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(store.location).isFile()).toBe(true);
    expect(Object.isFrozen(store)).toBe(true);
    // The store's connection is configured like this one, which openStore's own code opens.
    const database = openConnection(store.location);
    try {
      const pragma = (name: string): unknown => Object.values(database.prepare(`PRAGMA ${name}`).get() ?? {})[0];
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('busy_timeout')).toBe(5000);
      expect(pragma('foreign_keys')).toBe(1);
    } finally {
      database.close();
    }
  });

  it('switches a new database to WAL even while another process holds it (two servers starting at once)', async () => {
    const file = path.join(scratch, 'contended.sqlite');
    new DatabaseSync(file).close();
    // Another process is about to write the new database (a reserved lock, as a server opening it
    // at the same moment has): the switch to WAL cannot upgrade its lock meanwhile, and SQLite
    // answers SQLITE_BUSY at once for that upgrade, busy_timeout or not.
    const holder = spawn(process.execPath, ['-e', `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE; SELECT count(*) FROM sqlite_master;');
      process.stdout.write('holding\\n');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(holder.stdout, 'data');
    const database = openConnection(file);
    expect(String(database.prepare('PRAGMA journal_mode').get()?.['journal_mode'])).toBe('wal');
    database.close();
    await once(holder, 'exit');
  });

  it('rejects bad options with MCP_TOOLS_INVALID_OPTIONS', async () => {
    await expectCode(() => openStore({ dataDir: '' }), 'MCP_TOOLS_INVALID_OPTIONS', /dataDir/);
    await expectCode(() => openStore({ dataDir: 'relative/dir' }), 'MCP_TOOLS_INVALID_OPTIONS', /absolute/);
    await expectCode(() => openStore({} as OpenStoreOptions), 'MCP_TOOLS_INVALID_OPTIONS');
    await expectCode(
      () => openStore({ dataDir, now: 42 as unknown as () => number }),
      'MCP_TOOLS_INVALID_OPTIONS',
      /now/,
    );
  });

  it('refuses a file that is not an SQLite database, saying so', async () => {
    await (await open()).close();
    rmSync(path.join(dataDir, 'state.sqlite-wal'), { force: true });
    rmSync(path.join(dataDir, 'state.sqlite-shm'), { force: true });
    writeFileSync(databaseFile(), 'definitely not sqlite '.repeat(100));
    const error = await expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /not a database/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('SQLite specifics', () => {
  it('stores snake_case columns', async () => {
    const store = await open();
    await store.sessions.insert(session('a', { createdAt: 5, lastUsedAt: 6, parentId: 'p' }));
    const row = withDatabase((database) => database.prepare('SELECT created_at, last_used_at, parent_id, cost_usd FROM sessions').get());
    expect({ ...row }).toEqual({
      created_at: 5,
      last_used_at: 6,
      parent_id: 'p',
      cost_usd: 0,
    });
  });

  it('a duplicate session id keeps the SQLite error as the cause', async () => {
    const store = await open();
    await store.sessions.insert(session('dup'));
    const error = await expectCode(() => store.sessions.insert(session('dup')), 'MCP_TOOLS_STORE_FAILED', /already stored/);
    expect(error.cause).toMatchObject({ code: 'ERR_SQLITE_ERROR' });
  });

  it('keeps data across close and reopen', async () => {
    const first = await open();
    await first.sessions.insert(session('kept', { status: 'running' }));
    await first.sessions.recordTurn('kept', { costUsd: 1.5, at: 9_000, model: 'm' });
    await first.sessions.setStatus('kept', 'running');
    await first.close();

    const second = await open();
    expect(await second.sessions.markRunningAsInterrupted()).toBe(1);
    expect(await second.sessions.get('kept')).toMatchObject({
      turns: 1,
      costUsd: 1.5,
      lastUsedAt: 9_000,
      model: 'm',
      status: 'interrupted',
    });
  });
});

describe('migrations', () => {
  it('records each migration once, and reopening does not run them again', async () => {
    await (await open({ now: () => 111 })).close();
    const expected = MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 111 }));
    expect(migrationRows()).toEqual(expected);

    await (await open({ now: () => 222 })).close();
    expect(migrationRows()).toEqual(expected);
  });

  it('versions run 1, 2, 3, …', () => {
    MIGRATIONS.forEach((migration, index) => expect(migration.version).toBe(index + 1));
    expect(Object.isFrozen(MIGRATIONS)).toBe(true);
  });

  it('applies only appended migrations, once each', async () => {
    await (await open()).close();
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
    const database = new DatabaseSync(databaseFile());
    try {
      expect(applyMigrations(database, appended, () => 5, 'test')).toEqual([MIGRATIONS.length + 1]);
      expect(applyMigrations(database, appended, () => 6, 'test')).toEqual([]);
      expect(runs).toBe(1);
    } finally {
      database.close();
    }
    // The database is now ahead of the code's MIGRATIONS, so openStore refuses it.
    await expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /newer version of the server/);
  });

  it('rolls every pending migration back when one fails', async () => {
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
      await expectCode(
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

  it('rejects a malformed migration list', async () => {
    const database = new DatabaseSync(':memory:');
    try {
      const gap: readonly Migration[] = [{ version: 2, name: 'skipped-one', up: () => undefined }];
      await expectCode(() => applyMigrations(database, gap, Date.now, 'test'), 'MCP_TOOLS_STORE_FAILED', /without gaps/);
    } finally {
      database.close();
    }
  });

  it('refuses a database written by a newer server and tells to upgrade', async () => {
    await (await open()).close();
    withDatabase((database) =>
      database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'future', 1),
    );
    const error = await expectCode(() => openStore({ dataDir }), 'MCP_TOOLS_STORE_FAILED', /schema version 999/);
    expect(error.message).toMatch(/Upgrade the server/);
  });
});

describe('transaction', () => {
  // The write transactions the SQLite stores use internally, on a connection of their own.
  const insert = (database: DatabaseSync, id: string) =>
    database.prepare("INSERT INTO sessions (id, cwd, model, created_at, last_used_at, status) VALUES (?, '/c', NULL, 1, 1, 'idle')").run(id);
  const ids = (database: DatabaseSync) => database.prepare('SELECT id FROM sessions ORDER BY id').all().map((row) => row['id']);

  beforeEach(async () => {
    await (await open()).close();
  });

  it('commits the work and returns its result', () => {
    withDatabase((database) => {
      const result = createTransaction(database)(() => {
        insert(database, 'a');
        insert(database, 'b');
        return 'done';
      });
      expect(result).toBe('done');
      expect(ids(database)).toEqual(['a', 'b']);
    });
  });

  it('rolls back everything on throw and rethrows the same error', () => {
    withDatabase((database) => {
      const transaction = createTransaction(database);
      insert(database, 'before');
      const failure = new Error('changed my mind');
      expect(() =>
        transaction(() => {
          insert(database, 'inside');
          database.prepare("UPDATE sessions SET status = 'closed' WHERE id = 'before'").run();
          throw failure;
        }),
      ).toThrow(failure);
      expect(ids(database)).toEqual(['before']);
      expect(database.prepare("SELECT status FROM sessions WHERE id = 'before'").get()).toEqual({ status: 'idle' });
      // The connection is usable again.
      transaction(() => insert(database, 'after'));
      expect(ids(database)).toEqual(['after', 'before']);
    });
  });

  it('nests through savepoints: a caught inner failure undoes only the inner part', () => {
    withDatabase((database) => {
      const transaction = createTransaction(database);
      transaction(() => {
        insert(database, 'outer');
        expect(() =>
          transaction(() => {
            insert(database, 'inner');
            throw new Error('inner failure');
          }),
        ).toThrow('inner failure');
        transaction(() => insert(database, 'inner-ok'));
      });
      expect(ids(database)).toEqual(['inner-ok', 'outer']);
    });
  });

  it('refuses async work and rolls it back', async () => {
    const database = new DatabaseSync(databaseFile());
    try {
      await expectCode(
        () =>
          createTransaction(database)(async () => {
            insert(database, 'sync-part');
            await Promise.resolve();
          }),
        'MCP_TOOLS_STORE_FAILED',
        /synchronous/,
      );
      expect(ids(database)).toEqual([]);
    } finally {
      database.close();
    }
  });
});

describe('concurrent connections', () => {
  it('two stores on one data directory see each other’s committed writes', async () => {
    const a = await open();
    const b = await open();
    await a.sessions.insert(session('from-a'));
    expect((await b.sessions.get('from-a'))?.id).toBe('from-a');
    await b.sessions.recordTurn('from-a', { costUsd: 0.5, at: 5_000 });
    expect(await a.sessions.get('from-a')).toMatchObject({ turns: 1, costUsd: 0.5 });
  });

  it('readers are not blocked by another connection’s open write transaction (WAL)', async () => {
    const b = await open();
    await b.sessions.insert(session('committed'));
    const database = new DatabaseSync(databaseFile());
    try {
      database.exec('BEGIN IMMEDIATE');
      database.prepare("INSERT INTO sessions (id, cwd, model, created_at, last_used_at, status) VALUES ('pending', '/c', NULL, 1, 1, 'idle')").run();
      expect(await b.sessions.get('pending')).toBeUndefined();
      expect((await b.sessions.list()).map((s) => s.id)).toEqual(['committed']);
      database.exec('COMMIT');
    } finally {
      database.close();
    }
    expect(await b.sessions.get('pending')).toBeDefined();
  });

  it('waits (busy_timeout) for another process that holds the write lock', async () => {
    const store = await open();
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
      { env: { ...process.env, STATE_DB: store.location }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = once(child, 'exit');
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toContain('locked');

    const started = Date.now();
    await store.sessions.insert(session('from-parent')); // blocks until the child commits
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect((await store.sessions.list()).map((s) => s.id).sort()).toEqual(['from-child', 'from-parent']);
  });
});
