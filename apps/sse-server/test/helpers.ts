import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ServerFixture } from '@claude-code-mcp/test-harness';

export { createServerFixture, type ServerFixture } from '@claude-code-mcp/test-harness';

/** The built server, as the container runs it. */
export const SERVER_ENTRY = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface RunningServer {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built HTTP server on 127.0.0.1 and a free port; resolves once it listens. */
export async function startServer(fixture: ServerFixture, extra: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: { ...fixture.env, HOST: '127.0.0.1', PORT: '0', ...extra },
    cwd: fixture.sandbox.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within 15 s; stderr: ${stderr}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"port":(\d+)[^\n]*HTTP server listening/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}; stderr: ${stderr}`));
    });
  });
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs the built server to its exit (for configurations that must stop it at start). */
export function runToExit(fixture: ServerFixture, extra: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...fixture.env, PORT: '0', ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    // A server that starts instead of stopping would outlive the test: it goes after 20 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
