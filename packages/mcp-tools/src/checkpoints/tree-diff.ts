// Reading git's tree diffs: which files changed, how, and a patch cut at a line end.
import { lstatSync } from 'node:fs';
import path from 'node:path';

import { splitNul } from './git.js';
import type { ChangedFile } from './checkpoint-manager.js';
import type { ShadowRepo, ShadowRepos } from './shadow-repo.js';

export function zeroOid(like: string): string {
  return '0'.repeat(like.length);
}

/** `path` of git output (work-tree relative, `/`-separated) as text. */
export function text(entry: Buffer): string {
  return entry.toString('utf8');
}

/**
 * A test for "a file or symbolic link exists at this work-tree path", following no symbolic link
 * on the way (a link standing where a folder was does not count: restore replaces it).
 */
export function fileProbe(root: string): (relative: Buffer) => boolean {
  const prefix = Buffer.from(root + path.sep);
  const folders = new Map<string, boolean>();
  const kind = (relative: Buffer): 'folder' | 'file' | undefined => {
    try {
      const stats = lstatSync(Buffer.concat([prefix, relative]), { throwIfNoEntry: false });
      return stats === undefined ? undefined : stats.isDirectory() ? 'folder' : 'file';
    } catch {
      return undefined;
    }
  };
  return (relative) => {
    for (let slash = relative.indexOf(0x2f); slash !== -1; slash = relative.indexOf(0x2f, slash + 1)) {
      const folder = relative.subarray(0, slash);
      const key = folder.toString('latin1');
      let isFolder = folders.get(key);
      if (isFolder === undefined) {
        isFolder = kind(folder) === 'folder';
        folders.set(key, isFolder);
      }
      if (!isFolder) return false;
    }
    return kind(relative) === 'file';
  };
}

export interface NameStatus {
  status: string;
  path: Buffer;
}

/** `diff-tree -r --name-status --no-renames` between two trees: status letter and path. */
export async function diffNames(repos: ShadowRepos, repo: ShadowRepo, from: string, to: string): Promise<NameStatus[]> {
  const records = splitNul(
    (await repos.git(repo, { args: ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to] })).stdout,
  );
  const changes: NameStatus[] = [];
  for (let index = 0; index + 1 < records.length; index += 2) {
    changes.push({ status: text(records[index]!).charAt(0), path: records[index + 1]! });
  }
  return changes;
}

const STATUS_NAMES: Readonly<Record<string, ChangedFile['status']>> = Object.freeze({
  A: 'added',
  C: 'added',
  D: 'deleted',
  M: 'modified',
  T: 'modified',
  R: 'renamed',
});

/** Changed files between two trees, with rename detection and line counts. */
export async function changedFiles(repos: ShadowRepos, repo: ShadowRepo, from: string, to: string): Promise<readonly ChangedFile[]> {
  const [names, counts] = await Promise.all([
    repos.git(repo, { args: ['diff-tree', '-r', '-z', '-M', '--name-status', from, to] }),
    repos.git(repo, { args: ['diff-tree', '-r', '-z', '-M', '--numstat', from, to] }),
  ]);
  // --numstat -z: "added\tdeleted\tpath\0", or for a rename "added\tdeleted\t\0old\0new\0";
  // "-\t-" for a binary file.
  const lineCounts = new Map<string, { insertions: number; deletions: number; binary: boolean }>();
  const numstat = splitNul(counts.stdout);
  for (let index = 0; index < numstat.length; index += 1) {
    const fields = text(numstat[index]!).split('\t');
    let name = fields[2] ?? '';
    if (name === '') {
      index += 2;
      name = text(numstat[index] ?? Buffer.alloc(0));
    }
    const binary = fields[0] === '-';
    lineCounts.set(name, {
      insertions: binary ? 0 : Number(fields[0]),
      deletions: binary ? 0 : Number(fields[1]),
      binary,
    });
  }
  const files: ChangedFile[] = [];
  const records = splitNul(names.stdout);
  for (let index = 0; index < records.length; ) {
    const letter = text(records[index]!).charAt(0);
    const twoPaths = letter === 'R' || letter === 'C';
    const oldPath = twoPaths ? text(records[index + 1] ?? Buffer.alloc(0)) : null;
    const name = text(records[index + (twoPaths ? 2 : 1)] ?? Buffer.alloc(0));
    index += twoPaths ? 3 : 2;
    const status = STATUS_NAMES[letter] ?? 'modified';
    const count = lineCounts.get(name) ?? { insertions: 0, deletions: 0, binary: false };
    files.push(Object.freeze({ path: name, oldPath: status === 'renamed' ? oldPath : null, status, ...count }));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Object.freeze(files);
}

/** The kept part of a cut diff, ending at its last complete line (or at a whole character). */
export function cutAtLineEnd(kept: Buffer): string {
  const end = kept.lastIndexOf(0x0a);
  if (end !== -1) return kept.subarray(0, end + 1).toString('utf8');
  let cut = kept.length;
  // Do not split a UTF-8 sequence: step back over continuation bytes and their lead byte.
  while (cut > 0 && (kept[cut - 1]! & 0xc0) === 0x80) cut -= 1;
  if (cut > 0 && kept[cut - 1]! >= 0xc0) cut -= 1;
  return kept.subarray(0, cut).toString('utf8');
}
