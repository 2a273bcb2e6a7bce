// The file is its owner's alone, in WAL; two processes opening a new file at once both get it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openSqliteFile } from '../src/index.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'sqlite-file-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('openSqliteFile', () => {
  it('creates the file (and its folder) for its owner only, in WAL mode with the busy timeout and secure delete', () => {
    const file = join(folder, 'nested', 'store.sqlite');
    const database = openSqliteFile(file, { busyTimeoutMs: 1234, secureDelete: true });
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(folder, 'nested')).mode & 0o777).toBe(0o700);
      expect(database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(database.prepare('PRAGMA busy_timeout').get()).toEqual({ timeout: 1234 });
      expect(database.prepare('PRAGMA secure_delete').get()).toEqual({ secure_delete: 1 });
    } finally {
      database.close();
    }
  });

  it('lets several processes open one new file at once (the WAL switch is tried again)', async () => {
    const file = join(folder, 'shared.sqlite');
    // The module imports only node: builtins, so Node runs its TypeScript as it is.
    const entry = new URL('../src/open-sqlite-file.ts', import.meta.url).pathname;
    const script = `import { openSqliteFile } from ${JSON.stringify(entry)}; const db = openSqliteFile(${JSON.stringify(file)}); db.exec('CREATE TABLE IF NOT EXISTS t (x)'); db.close();`;
    const codes = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ['--experimental-strip-types', '--input-type=module', '-e', script], { stdio: 'ignore' }).once('exit', resolve))),
    );
    expect(codes).toEqual(Array<number>(8).fill(0));
  });
});
