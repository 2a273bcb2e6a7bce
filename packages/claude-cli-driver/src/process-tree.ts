import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A process seen in a snapshot; `startTime` guards against a reused pid. */
export interface ProcessEntry {
  readonly pid: number;
  readonly parentPid: number;
  readonly startTime: string;
}

function readProcStat(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parentPid = Number(fields[1]);
    const startTime = fields[19] ?? '';
    const state = fields[0];
    if (state === 'Z' || state === 'X') return undefined;
    return { pid, parentPid, startTime };
  } catch {
    return undefined;
  }
}

function listAllProcesses(): ProcessEntry[] {
  if (process.platform === 'linux') {
    const entries: ProcessEntry[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const entry = readProcStat(Number(name));
      if (entry) entries.push(entry);
    }
    return entries;
  }
  if (process.platform === 'win32') return [];
  try {
    const output = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,lstart='], { encoding: 'utf8', timeout: 5_000 });
    return output
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ pid: Number(match[1]), parentPid: Number(match[2]), startTime: (match[3] ?? '').trim() }));
  } catch {
    return [];
  }
}

/**
 * The process `pid` as the process table shows it now (its parent and start time), or `undefined`
 * when there is none (or only a zombie). Record the start time to recognise the same process
 * later: a pid alone may have been reused.
 *
 * @example
 * ```ts
 * const entry = describeProcess(child.pid!); // { pid, parentPid, startTime }
 * ```
 */
export function describeProcess(pid: number): ProcessEntry | undefined {
  if (process.platform === 'linux') return readProcStat(pid);
  return listAllProcesses().find((entry) => entry.pid === pid);
}

/**
 * Every live descendant of `rootPid` (children, grandchildren, …), read from the process table.
 *
 * @example
 * ```ts
 * const before = listDescendants(child.pid!);
 * ```
 */
export function listDescendants(rootPid: number): ProcessEntry[] {
  const all = listAllProcesses();
  const childrenOf = new Map<number, ProcessEntry[]>();
  for (const entry of all) {
    const siblings = childrenOf.get(entry.parentPid);
    if (siblings) siblings.push(entry);
    else childrenOf.set(entry.parentPid, [entry]);
  }
  const found: ProcessEntry[] = [];
  const queue = [rootPid];
  const seen = new Set<number>(queue);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of childrenOf.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * `true` while the process exists and is not a zombie (and, when `startTime` is given, is the
 * same process, not a later one with a reused pid).
 *
 * @example
 * ```ts
 * if (isAlive(recorded)) killSnapshot([recorded, ...listDescendants(recorded.pid)]);
 * ```
 */
export function isAlive(entry: Pick<ProcessEntry, 'pid'> & Partial<ProcessEntry>): boolean {
  if (process.platform === 'linux') {
    const current = readProcStat(entry.pid);
    return current !== undefined && (entry.startTime === undefined || current.startTime === entry.startTime);
  }
  try {
    process.kill(entry.pid, 0);
  } catch {
    return false;
  }
  // Elsewhere the start time comes from `ps`: compared when given, so a reused pid is not taken
  // for the process recorded under it.
  return entry.startTime === undefined || describeProcess(entry.pid)?.startTime === entry.startTime;
}

/**
 * Sends SIGKILL to each still-living process of a snapshot, and to the process group it leads
 * (the CLI's Bash tool runs every command in a session of its own, so its children are reached
 * only through that group). Returns how many signals were delivered.
 *
 * @example
 * ```ts
 * killSnapshot([recorded, ...listDescendants(recorded.pid)]);
 * ```
 */
export function killSnapshot(entries: readonly ProcessEntry[]): number {
  let killed = 0;
  for (const entry of entries) {
    if (!isAlive(entry)) continue;
    for (const target of [-entry.pid, entry.pid]) {
      try {
        process.kill(target, 'SIGKILL');
        killed += 1;
      } catch {
        // Already gone, or not a group leader.
      }
    }
  }
  return killed;
}

/**
 * This boot of the machine (Linux: `/proc/sys/kernel/random/boot_id`), or `undefined` where it
 * cannot be read. A process recorded under another boot cannot be running now.
 *
 * @example
 * ```ts
 * const rebooted = record.bootId !== undefined && record.bootId !== currentBootId();
 * ```
 */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
