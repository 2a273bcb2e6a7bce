// bench/driver: the driver's overhead against the bare CLI, and a warm session against a cold resume.
// Everything runs against the project's mock API on 127.0.0.1, so the figures measure process and
// protocol cost, not model latency. Runs are interleaved so drift hits both sides alike.
import { spawn } from 'node:child_process';

import { createSession, query } from '@claude-code-mcp/claude-cli-driver';
import { createCliSandbox, createMockAnthropicServer, text, turn } from '@claude-code-mcp/test-harness';

import { median, round } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const WARMUP = 2;


const mock = await createMockAnthropicServer();
mock.script(turn(text('pong'), { repeat: true }));
const sandbox = await createCliSandbox({ mock });
const options = { executable: sandbox.claudePath, cwd: sandbox.cwd, env: sandbox.env, inheritEnv: false } as const;

/** Bare `claude -p`, prompt on stdin: time to the result line, and to exit. */
function bareRun(): Promise<{ toResult: number; toExit: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let toResult = 0;
    let buffered = '';
    const child = spawn(sandbox.claudePath, ['-p', '--output-format=stream-json', '--verbose'], {
      cwd: sandbox.cwd,
      env: sandbox.env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (!toResult && buffered.includes('"type":"result"')) toResult = performance.now() - started;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !toResult) reject(new Error(`bare claude -p failed (exit ${code})`));
      else resolve({ toResult, toExit: performance.now() - started });
    });
    child.stdin.end('ping');
  });
}

/** The same through the driver: time to the result, and to exit. */
async function driverRun(): Promise<{ toResult: number; toExit: number; sessionId: string }> {
  const started = performance.now();
  const run = query({ ...options, prompt: 'ping' });
  const result = await run.result;
  const toResult = performance.now() - started;
  await run.exited;
  return { toResult, toExit: performance.now() - started, sessionId: result.sessionId };
}

const driverTimes: number[] = [];
const driverExitTimes: number[] = [];
const bareTimes: number[] = [];
const bareExitTimes: number[] = [];
let lastSessionId = '';
for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
  const driver = await driverRun();
  const bare = await bareRun();
  lastSessionId = driver.sessionId;
  if (index < WARMUP) continue;
  driverTimes.push(driver.toResult);
  driverExitTimes.push(driver.toExit);
  bareTimes.push(bare.toResult);
  bareExitTimes.push(bare.toExit);
}

// A live session: follow-up turns on a warm process.
const session = await createSession(options);
await session.send('first').result;
const warmTimes: number[] = [];
for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
  const started = performance.now();
  await session.send(`follow-up ${index}`).result;
  if (index >= WARMUP) warmTimes.push(performance.now() - started);
}
await session.close();

// The same follow-up as a cold process: `--resume` of an existing session.
const coldTimes: number[] = [];
for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
  const started = performance.now();
  await query({ ...options, prompt: `resumed ${index}`, resume: lastSessionId }).result;
  if (index >= WARMUP) coldTimes.push(performance.now() - started);
}

await mock.close();
await sandbox.cleanup();

const queryMedian = median(driverTimes);
const bareMedian = median(bareTimes);
const warmMedian = median(warmTimes);
const coldMedian = median(coldTimes);
process.stdout.write(
  [
    `rounds=${ROUNDS} (after ${WARMUP} warm-up rounds), mock API on 127.0.0.1`,
    `one-turn query, spawn to result: driver median ${round(queryMedian)} ms, bare claude -p median ${round(bareMedian)} ms`,
    `one-turn query, spawn to exit:   driver median ${round(median(driverExitTimes))} ms, bare claude -p median ${round(median(bareExitTimes))} ms`,
    `follow-up turn: warm session median ${round(warmMedian)} ms, cold --resume median ${round(coldMedian)} ms`,
    `driver: query_median_ms=${round(queryMedian)} bare_median_ms=${round(bareMedian)} query_ratio=${round(queryMedian / bareMedian, 3)} ` +
      `warm_turn_median_ms=${round(warmMedian)} cold_resume_median_ms=${round(coldMedian)} resume_speedup=${round(coldMedian / warmMedian, 1)} ` +
      `targets: query_ratio<=1.02 resume_speedup>=10`,
    '',
  ].join('\n'),
);
