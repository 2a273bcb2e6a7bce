// Process checks for tests, read straight from /proc (Linux): independent of the driver's own
// process-tree code, which is what some of these tests check.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The command line of a process, arguments joined by spaces; `''` when it is gone.
 *
 * @example
 * expect(commandLine(pid)).toMatch(/^sleep 1$/);
 */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces and parentheses): state, ppid, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has exited; only its parent's wait is missing.
      if (fields[0] !== 'Z' && fields[0] !== 'X') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone while we looked.
    }
  }
  return parents;
}

/**
 * Every live descendant of `rootPid` (children, grandchildren, …; not zombies), not `rootPid` itself.
 *
 * @example
 * expect(descendantPids(server.pid!)).toEqual([]);
 */
export function descendantPids(rootPid: number): number[] {
  const parents = parentPids();
  const found: number[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [pid, ppid] of parents) {
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/**
 * Waits until a descendant of `rootPid` whose command line matches `pattern` shows up, and returns
 * the whole tree at that moment (to check afterwards that all of it is gone).
 *
 * @example
 * const tree = await waitForDescendant(server.pid!, /^sleep 1$/);
 */
export async function waitForDescendant(rootPid: number, pattern: RegExp, timeoutMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tree = descendantPids(rootPid);
    if (tree.some((pid) => pattern.test(commandLine(pid)))) return tree;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no descendant of ${rootPid} matching ${pattern} within ${timeoutMs} ms`);
}
