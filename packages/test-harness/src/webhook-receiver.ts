// A webhook receiver on loopback for tests: every request is verified with the Standard Webhooks
// reference library (`standardwebhooks`, not this project's verifier), answered as the test says,
// and kept.
import { createServer } from 'node:http';

import { Webhook } from 'standardwebhooks';

/**
 * One request the receiver got, verified.
 *
 * @example
 * ```ts
 * const delivery: ReceivedWebhook = { id: 'msg_1', type: 'tool.called', data: { tool: 'claude_ask' }, status: 204 };
 * ```
 */
export interface ReceivedWebhook {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  /** What the receiver answered. */
  readonly status: number;
}

/**
 * A running receiver.
 *
 * @example
 * ```ts
 * const hook = await startWebhookReceiver({ secret, answer: (_id, attempt) => (attempt === 1 ? 503 : 204) });
 * env.WEBHOOK_URL = hook.url;
 * ```
 */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks?token=abc` (a query that must never be logged or listed). */
  readonly url: string;
  /** Every verified request, in order of arrival. */
  readonly deliveries: readonly ReceivedWebhook[];
  /** Requests whose signature did not verify (answered 400). */
  readonly forged: number;
  /** The verified requests answered 2xx. */
  delivered(): readonly ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 that verifies each request with `secret` and answers
 * `answer(webhookId, attemptOfThatId)`.
 *
 * @example
 * ```ts
 * const hook = await startWebhookReceiver({ secret: generateWebhookSecret(), answer: () => 204 });
 * await hook.close();
 * ```
 */
export async function startWebhookReceiver(options: { readonly secret: string; readonly answer: (id: string, attempt: number) => number }): Promise<WebhookReceiver> {
  const deliveries: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const verifier = new Webhook(options.secret);
  let forged = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const header = (name: string) => String(request.headers[name] ?? '');
      let event: { type: string; data: Record<string, unknown> };
      try {
        event = verifier.verify(body, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') }) as typeof event;
      } catch {
        forged += 1;
        response.writeHead(400).end();
        return;
      }
      const id = header('webhook-id');
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const status = options.answer(id, attempt);
      deliveries.push({ id, type: event.type, data: event.data, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks?token=abc`,
    deliveries,
    get forged() {
      return forged;
    },
    delivered: () => deliveries.filter((delivery) => delivery.status >= 200 && delivery.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
