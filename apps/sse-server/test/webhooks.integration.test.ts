// Webhooks of the built HTTP server after real tool calls (the real Claude Code CLI against the
// mock API), received on loopback (allowed by configuration) and verified with the Standard
// Webhooks reference library: a receiver that fails first gets every event once per id; the
// server killed between attempts delivers after its restart; a receiver that never succeeds ends
// in dead letters, which the `webhooks` command lists and replays; a burst's 429s and SIGTERM are
// events too.
import { spawn } from 'node:child_process';

import { parsePrometheusText, startWebhookReceiver, text, waitFor as waitUntil, type ReceivedWebhook, type WebhookReceiver } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { generateWebhookSecret } from '@claude-code-mcp/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
let server: RunningServer | undefined;
let hookReceiver: WebhookReceiver | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await hookReceiver?.close();
  hookReceiver = undefined;
  await fixture.dispose();
});

const SECRET = generateWebhookSecret();
const SERVER_ENTRY = new URL('../dist/cli.js', import.meta.url).pathname;

/** A receiver (verifying with the reference library) that answers `answer(id, attempt)`; closed after each test. */
async function receiver(answer: (id: string, attempt: number) => number): Promise<WebhookReceiver> {
  hookReceiver = await startWebhookReceiver({ secret: SECRET, answer });
  return hookReceiver;
}

const webhookEnv = (url: string, extra: Record<string, string> = {}) => ({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', ...extra });
const delivered = (deliveries: readonly ReceivedWebhook[]) => deliveries.filter((delivery) => delivery.status < 300);
const waitFor = (done: () => boolean, what: string) => waitUntil(done, what, { intervalMs: 100 });

async function askOnce(origin: string): Promise<string> {
  const client = new Client({ name: 'webhooks-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin)));
  const result = (await client.callTool({ name: 'claude_ask', arguments: { query: 'say something' } })) as { structuredContent: { sessionId: string } };
  await client.close();
  return result.structuredContent.sessionId;
}

/** `claude-code-mcp-http webhooks …` with the fixture's configuration. */
function command(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_ENTRY, 'webhooks', ...args], { env: { ...fixture.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

describe('webhooks (WEBHOOKS_ENABLED=true)', () => {
  it('sends the events of a real claude_ask, each once per id although the receiver failed the first attempt, and server.shutdown on SIGTERM', async () => {
    fixture.mock.script(text('hello from claude'));
    const hook = await receiver((_id, attempt) => (attempt === 1 ? 503 : 204));
    server = await startServer(fixture, webhookEnv(hook.url, { METRICS_ENABLED: 'true' }));
    const sessionId = await askOnce(server.origin);
    await waitFor(() => ['server.started', 'tool.called', 'session.started', 'tool.completed'].every((type) => delivered(hook.deliveries).some((delivery) => delivery.type === type)), 'the events of the call');
    expect(hook.forged).toBe(0);
    const ok = delivered(hook.deliveries);
    // Every message was first refused, then delivered once: one success per id.
    expect(new Set(ok.map((delivery) => delivery.id)).size).toBe(ok.length);
    for (const delivery of ok) expect(hook.deliveries.filter((other) => other.id === delivery.id).map((other) => other.status)).toEqual([503, 204]);
    const byType = Object.fromEntries(ok.map((delivery) => [delivery.type, delivery.data]));
    expect(byType['tool.completed']).toMatchObject({ tool: 'claude_ask', status: 'success', sessionId });
    expect(byType['session.started']).toEqual({ sessionId });
    expect(byType['server.started']).toMatchObject({ transport: 'both' });
    // Never the prompt or the answer.
    expect(JSON.stringify(hook.deliveries)).not.toMatch(/say something|hello from claude/);
    const families = parsePrometheusText(await (await fetch(new URL('/metrics', server.origin))).text());
    const attempts = Object.fromEntries(families.find((family) => family.name === 'claude_code_mcp_webhook_deliveries_total')!.metrics.map((sample): [string, number] => [sample.labels['result'] ?? '', Number(sample.value)]));
    expect(attempts['retry']).toBeGreaterThanOrEqual(4);
    expect(attempts['delivered']).toBeGreaterThanOrEqual(4);
    expect(families.find((family) => family.name === 'claude_code_mcp_webhook_dead_letters')?.metrics[0]?.value).toBe('0');

    const code = await server.stop();
    expect(code).toBe(0);
    server = undefined;
    // Its first attempt is refused (503): the last flush waits for the retry and delivers it.
    expect(delivered(hook.deliveries).filter((delivery) => delivery.type === 'server.shutdown')).toHaveLength(1);
  }, 60_000);

  it('delivers after a restart what a killed server left in the outbox, with the same id', async () => {
    let up = false;
    const hook = await receiver(() => (up ? 200 : 503));
    server = await startServer(fixture, webhookEnv(hook.url));
    await waitFor(() => hook.deliveries.some((delivery) => delivery.type === 'server.started'), 'the first attempt');
    const [first] = hook.deliveries;
    server.child.kill('SIGKILL');
    await server.stop();
    up = true;
    server = await startServer(fixture, webhookEnv(hook.url));
    await waitFor(() => delivered(hook.deliveries).some((delivery) => delivery.id === first!.id), 'the delivery after the restart');
    expect(delivered(hook.deliveries).filter((delivery) => delivery.id === first!.id)).toHaveLength(1);
  }, 60_000);

  it('ends in dead letters after WEBHOOK_MAX_ATTEMPTS; the webhooks command lists and replays them', async () => {
    let healthy = false;
    const hook = await receiver(() => (healthy ? 200 : 500));
    const env = webhookEnv(hook.url, { WEBHOOK_MAX_ATTEMPTS: '1', WEBHOOK_EVENTS: 'server.*' });
    server = await startServer(fixture, env);
    await waitFor(() => hook.deliveries.length === 1, 'the one attempt');
    let listed: { messageId: string; eventType: string; receiver: string; lastStatus: number }[] = [];
    for (let tries = 0; tries < 50 && listed.length === 0; tries += 1) {
      const { stdout } = await command(['dead-letters'], env);
      listed = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as (typeof listed)[number]);
      if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed).toEqual([expect.objectContaining({ eventType: 'server.started', lastStatus: 500 })]);
    // The receiver by its origin and a digest of its URL.
    expect(listed[0]?.receiver).toMatch(new RegExp(`^${new URL(hook.url).origin} \\(#[0-9a-f]{8}\\)$`));
    // The receiver's path and query (a token) are not printed.
    expect(JSON.stringify(listed)).not.toContain('token=abc');
    healthy = true;
    const replayed = await command(['replay', listed[0]!.messageId], env);
    expect(replayed).toEqual({ code: 0, stdout: '{"replayed":1}\n' });
    await waitFor(() => delivered(hook.deliveries).some((delivery) => delivery.id === listed[0]!.messageId), 'the replayed delivery');
    expect((await command(['replay', 'msg_unknown'], env)).code).toBe(1);
    expect((await command(['nonsense'], env)).code).toBe(2);
  }, 60_000);

  it('sends rate_limit.exceeded for a burst past the limit, once a minute however many 429s', async () => {
    const hook = await receiver(() => 200);
    server = await startServer(fixture, webhookEnv(hook.url, { RATE_LIMIT_REQUESTS: '2', WEBHOOK_EVENTS: 'rate_limit.exceeded' }));
    const statuses: number[] = [];
    for (let index = 0; index < 12; index += 1) statuses.push((await fetch(new URL('/mcp', server.origin), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    await waitFor(() => hook.deliveries.some((delivery) => delivery.type === 'rate_limit.exceeded'), 'the rate_limit.exceeded event');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(hook.deliveries).toHaveLength(1);
    expect(hook.deliveries[0]?.data).toEqual({ route: '/mcp' });
  }, 60_000);
});
