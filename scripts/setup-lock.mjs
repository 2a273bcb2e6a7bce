// One set-up at a time per clone: two `npm start` (two terminals, or a client starting the server
// twice) would otherwise race on .toolchain/ and node_modules. Written for Node >= 18.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ToolchainError } from './toolchain.mjs';

const WAIT_LIMIT_MS = 15 * 60_000;
// A lock folder younger than this may simply not have its pid file yet.
const FRESH_MS = 10_000;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function holderOf(lock) {
  try {
    return Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

function isStale(lock) {
  const holder = holderOf(lock);
  if (holder !== undefined && holder > 0) return !alive(holder);
  try {
    return Date.now() - statSync(lock).mtimeMs > FRESH_MS;
  } catch {
    return true;
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `work` holding `<folder>/.setup-lock`, waiting for another holder that is alive; a lock left
 * by a process that died is taken over, and so are the staging folders it left.
 *
 * @param {string} folder - the toolchain folder.
 * @param {(message: string) => void} say - where "waiting" is reported.
 * @param {() => T} work
 * @returns {T}
 * @template T
 */
export function withSetupLock(folder, say, work) {
  mkdirSync(folder, { recursive: true });
  const lock = join(folder, '.setup-lock');
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) say(`waiting for another set-up of this clone (pid ${holderOf(lock) ?? '?'}) to finish`);
    told = true;
    if (Date.now() > deadline) throw new ToolchainError(`another set-up of this clone has held ${lock} for 15 minutes; remove that folder if no npm start or npm test is running`);
    sleep(250);
  }
  try {
    // Holding the lock, no install is under way: what a killed one left is garbage.
    for (const name of readdirSync(folder)) if (name.startsWith('.staging-')) rmSync(join(folder, name), { recursive: true, force: true });
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
