// The built stdio server spoken to in raw JSON-RPC lines, as a careless or hostile client would:
// oversized lines, lines that are not JSON, invalid messages, requests out of order, reused ids.
// The server must answer each and keep the session (and a run in progress) alive.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';

import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, SERVER_ENTRY, type ServerFixture } from './helpers.js';

interface Message {
  readonly id?: string | number | null;
  readonly result?: { structuredContent?: { status?: string; result?: string }; tools?: unknown[] };
  readonly error?: { code: number; message: string };
  readonly method?: string;
}

/** A client that writes raw lines and reads the server's replies. */
class RawClient {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #messages: Message[] = [];
  readonly #waiters = new Set<() => void>();
  #partial = '';

  constructor(fixture: ServerFixture) {
    this.#child = spawn(process.execPath, [SERVER_ENTRY], { env: fixture.env, cwd: fixture.sandbox.cwd, stdio: 'pipe' });
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.#messages.push(JSON.parse(line) as Message);
      for (const wake of this.#waiters) wake();
    });
    this.#child.stderr.resume();
  }

  write(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  send(message: object): void {
    this.write(JSON.stringify({ jsonrpc: '2.0', ...message }));
  }

  /** The first reply (not a notification) with this id, waiting for it. */
  async reply(id: string | number | null, timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#messages.find((message) => message.method === undefined && message.id === id);
      if (found) {
        this.#messages.splice(this.#messages.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error(`no reply with id ${String(id)}; got ${JSON.stringify(this.#messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
        setTimeout(wake, 200);
      });
    }
  }

  async initialize(id: number): Promise<Message> {
    this.send({ id, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const reply = await this.reply(id);
    this.send({ method: 'notifications/initialized' });
    return reply;
  }

  /** Whether no reply with this id arrived. */
  unanswered(id: string | number): boolean {
    return !this.#messages.some((message) => message.method === undefined && message.id === id);
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.#child, 'exit');
    this.#child.stdin.end();
    await exited;
  }
}

let fixture: ServerFixture;
let client: RawClient | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await fixture.dispose();
});

const slowRun = () => {
  fixture.mock.script(
    toolUse('Bash', { command: 'sleep 2; echo slept', description: 'slow' }),
    turn(text('finished after the sleep'), { match: { toolResult: true } }),
  );
  return { name: 'claude_ask', arguments: { query: 'take your time', allowedTools: ['Bash'] } };
};

describe('stdio framing', () => {
  it('answers a line over 10 MiB with an error carrying its id, and the session and a run in progress go on', async () => {
    client = new RawClient(fixture);
    expect((await client.initialize(1)).result).toBeDefined();
    client.send({ id: 2, method: 'tools/call', params: slowRun() });
    // The id last, after the 11 MiB of params, as the SDK client writes its requests.
    client.write(JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'claude_ask', arguments: { query: 'x'.repeat(11 * 1024 * 1024) } }, id: 3 }));
    const refused = await client.reply(3);
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toMatch(/over this server's limit of 10485760/);
    client.send({ id: 4, method: 'tools/list' });
    expect((await client.reply(4)).result?.tools?.length).toBe(9);
    const run = await client.reply(2);
    expect(run.result?.structuredContent).toMatchObject({ status: 'completed', result: 'finished after the sleep' });
    expect(client.alive).toBe(true);
  });

  it('answers lines that are not JSON and messages that are not JSON-RPC, and refuses requests before initialize and a second initialize', async () => {
    client = new RawClient(fixture);
    client.send({ id: 1, method: 'tools/list' });
    expect((await client.reply(1)).error).toMatchObject({ code: -32600, message: expect.stringMatching(/send initialize before tools\/list/) as unknown });
    client.write('this is not json');
    expect((await client.reply(null)).error?.code).toBe(-32700);
    client.write('{"jsonrpc":"2.0","id":2,"method":5}');
    expect((await client.reply(2)).error?.code).toBe(-32600);
    client.write('[1, 2]');
    expect((await client.reply(null)).error?.code).toBe(-32600);
    // A broken response (its id is one of the server's own) gets no answer.
    client.write('{"jsonrpc":"2.0","id":0,"result":5}');
    // An initialize the server refuses can be sent again.
    client.send({ id: 6, method: 'initialize', params: { protocolVersion: '2025-11-25', clientInfo: { name: 'raw', version: '1' } } });
    expect((await client.reply(6)).error).toBeDefined();
    expect((await client.initialize(3)).result).toBeDefined();
    client.send({ id: 4, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    expect((await client.reply(4)).error?.message).toMatch(/already initialized/);
    client.send({ id: 5, method: 'tools/list' });
    expect((await client.reply(5)).result?.tools?.length).toBe(9);
    expect(client.unanswered(0)).toBe(true);
  });

  it('serves a tools/list pipelined right behind initialize (the spec asks clients not to, but does not forbid it)', async () => {
    client = new RawClient(fixture);
    client.write(
      [
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      ].join('\n'),
    );
    expect((await client.reply(1)).result).toBeDefined();
    expect((await client.reply(2)).result?.tools?.length).toBe(9);
  });

  it('refuses a request whose id is still in flight instead of running it twice, and takes the id again once answered', async () => {
    client = new RawClient(fixture);
    await client.initialize(1);
    client.send({ id: 'same', method: 'tools/call', params: slowRun() });
    client.send({ id: 'same', method: 'tools/list' });
    const refused = await client.reply('same');
    expect(refused.error?.message).toMatch(/"same" is still in progress/);
    const run = await client.reply('same');
    expect(run.result?.structuredContent?.status).toBe('completed');
    client.send({ id: 'same', method: 'tools/list' });
    expect((await client.reply('same')).result?.tools?.length).toBe(9);
  });
});
