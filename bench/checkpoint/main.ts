// bench/checkpoint: checkpoint create / restore / compare on a tree of 5,000 files of a few KB in
// nested folders, and how much the data folder grows per checkpoint when 1 file of 5,000 changed.
// Baseline measured in the same run: `cp -r` of the same tree (what a naive snapshot would cost).
// Copies and checkpoints are interleaved so drift hits both sides alike.
import { spawnSync } from 'node:child_process';
import { appendFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createCheckpointManager, openStore } from '@claude-code-mcp/mcp-tools';

import { median, round } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9);
const WARMUP = 1;
const FILES = 5_000;
const CHANGED_PER_ROUND = 10; // files modified, added and deleted before each restore / compare


/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same tree. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(42);
const WORDS = ['const', 'value', 'return', 'function', 'import', 'export', 'await', 'result', 'index', 'options', 'error', 'string', 'number', 'map', 'filter'];
/** Source-like text of about `bytes` bytes. */
function sourceText(bytes: number): string {
  let text = '';
  while (text.length < bytes) {
    const words = Array.from({ length: 4 + Math.floor(next() * 8) }, () => WORDS[Math.floor(next() * WORDS.length)]);
    text += `${'  '.repeat(Math.floor(next() * 3))}${words.join(' ')} ${Math.floor(next() * 1e6)};\n`;
  }
  return text;
}

/** Apparent size and disk usage of everything under `root`. */
function folderSize(root: string): { bytes: number; disk: number } {
  let bytes = 0;
  let disk = 0;
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stats = lstatSync(full);
        bytes += stats.size;
        disk += stats.blocks * 512;
      }
    }
  };
  walk(root);
  return { bytes, disk };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'bench-checkpoint-'));
const tree = path.join(scratch, 'tree');
const dataDir = path.join(scratch, 'data');
const files: string[] = [];
// 10 folders × 10 sub-folders × 50 files = 5,000 files of 1–6 KB.
for (let top = 0; top < 10; top += 1) {
  for (let sub = 0; sub < 10; sub += 1) {
    const directory = path.join(tree, `pkg${top}`, `module${sub}`);
    mkdirSync(directory, { recursive: true });
    for (let file = 0; file < FILES / 100; file += 1) {
      const name = path.join(directory, `file${file}.ts`);
      writeFileSync(name, sourceText(1024 + Math.floor(next() * 5 * 1024)));
      files.push(name);
    }
  }
}
writeFileSync(path.join(tree, '.gitignore'), 'node_modules/\n*.log\n');
const treeSize = folderSize(tree);

const store = openStore({ dataDir });
const checkpoints = createCheckpointManager({ store, dataDir });

let started = performance.now();
const base = await checkpoints.create({ cwd: tree, label: 'base' });
const firstCreateMs = performance.now() - started;
const afterFirst = folderSize(dataDir);

/** `cp -r` of the tree into a fresh folder, timed; the copy is removed afterwards. */
function copyTree(): number {
  const target = path.join(scratch, 'copy');
  const began = performance.now();
  const result = spawnSync('cp', ['-r', tree, target]);
  const elapsed = performance.now() - began;
  if (result.status !== 0) throw new Error(`cp -r failed: ${String(result.stderr)}`);
  rmSync(target, { recursive: true, force: true });
  return elapsed;
}

// Create: one file of 5,000 changed since the last checkpoint; growth of the data folder.
const createTimes: number[] = [];
const copyTimes: number[] = [];
const growth: number[] = [];
const diskGrowth: number[] = [];
const repoGrowth: number[] = [];
let latest = base;
for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
  appendFileSync(files[(index * 997) % files.length] as string, `// edit ${index}\n`);
  const before = folderSize(dataDir);
  const repoBefore = folderSize(path.join(dataDir, 'checkpoints'));
  started = performance.now();
  latest = await checkpoints.create({ cwd: tree, label: `round ${index}` });
  const createMs = performance.now() - started;
  const after = folderSize(dataDir);
  const repoAfter = folderSize(path.join(dataDir, 'checkpoints'));
  const copyMs = copyTree();
  if (index < WARMUP) continue;
  createTimes.push(createMs);
  copyTimes.push(copyMs);
  growth.push(after.bytes - before.bytes);
  diskGrowth.push(after.disk - before.disk);
  repoGrowth.push(repoAfter.bytes - repoBefore.bytes);
}

// Compare (checkpoint vs present) and restore, after modifying, adding and deleting files.
const compareTimes: number[] = [];
const compareCheckpointTimes: number[] = [];
const restoreTimes: number[] = [];
for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
  for (let change = 0; change < CHANGED_PER_ROUND; change += 1) {
    appendFileSync(files[(index * 131 + change * 17) % files.length] as string, `// change ${index}.${change}\n`);
    unlinkSync(files[(index * 131 + change * 17 + 5) % files.length] as string);
    mkdirSync(path.join(tree, 'generated', `round${index}`), { recursive: true });
    writeFileSync(path.join(tree, 'generated', `round${index}`, `new${change}.ts`), sourceText(2048));
  }
  writeFileSync(path.join(tree, `debug${index}.log`), 'ignored\n');

  started = performance.now();
  const present = await checkpoints.compare(latest.id, 'present');
  const compareMs = performance.now() - started;
  started = performance.now();
  await checkpoints.compare(base.id, latest.id);
  const compareCheckpointMs = performance.now() - started;
  started = performance.now();
  const { changed } = await checkpoints.restore(latest.id);
  const restoreMs = performance.now() - started;
  const expected = CHANGED_PER_ROUND;
  if (present.files.length !== 3 * expected || changed.removed.length !== expected || changed.recreated.length !== expected || changed.restored.length !== expected) {
    throw new Error(`unexpected changes: compare ${present.files.length}, restore ${JSON.stringify({ r: changed.restored.length, rm: changed.removed.length, c: changed.recreated.length })}`);
  }
  if (index < WARMUP) continue;
  compareTimes.push(compareMs);
  compareCheckpointTimes.push(compareCheckpointMs);
  restoreTimes.push(restoreMs);
}

await store.close();
rmSync(scratch, { recursive: true, force: true });

const createMedian = median(createTimes);
const restoreMedian = median(restoreTimes);
const compareMedian = median(compareTimes);
const copyMedian = median(copyTimes);
const growthKb = growth.reduce((sum, value) => sum + value, 0) / growth.length / 1024;
const diskGrowthKb = diskGrowth.reduce((sum, value) => sum + value, 0) / diskGrowth.length / 1024;
const repoGrowthKb = repoGrowth.reduce((sum, value) => sum + value, 0) / repoGrowth.length / 1024;
process.stdout.write(
  [
    `rounds=${ROUNDS} (after ${WARMUP} warm-up round), tree: ${FILES} files in 100 nested folders, ${round(treeSize.bytes / 1024 / 1024)} MiB`,
    `first checkpoint (everything new): ${round(firstCreateMs)} ms, data folder ${round(afterFirst.bytes / 1024 / 1024)} MiB (${round(afterFirst.disk / 1024 / 1024)} MiB on disk)`,
    `create, 1 file of ${FILES} changed: median ${round(createMedian)} ms; cp -r of the tree (baseline): median ${round(copyMedian)} ms`,
    `data folder growth per checkpoint, 1 file changed: ${round(growthKb)} KiB apparent, ${round(diskGrowthKb)} KiB on disk (a copy: ${round(treeSize.bytes / 1024)} KiB); ` +
      `of which the shadow repository ${round(repoGrowthKb)} KiB, the rest the state database and its WAL`,
    `compare with the present, ${CHANGED_PER_ROUND} modified + ${CHANGED_PER_ROUND} added + ${CHANGED_PER_ROUND} deleted: median ${round(compareMedian)} ms; two checkpoints: median ${round(median(compareCheckpointTimes))} ms`,
    `restore of those changes: median ${round(restoreMedian)} ms`,
    `checkpoint: create_median_ms=${round(createMedian)} restore_median_ms=${round(restoreMedian)} compare_median_ms=${round(compareMedian)} ` +
      `growth_per_checkpoint_kb=${round(growthKb)} copy_median_ms=${round(copyMedian)} copy_ratio=${round(createMedian / copyMedian, 3)} ` +
      `growth_ratio=${round(growthKb / (treeSize.bytes / 1024), 5)} ` +
      `targets: create_median_ms<1000 restore_median_ms<2000 growth_per_checkpoint_kb<64`,
    '',
  ].join('\n'),
);
