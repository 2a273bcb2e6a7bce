// One delivery attempt: the receiver's every address checked first (net-guard), the connection
// pinned to them, a POST with the signed headers, bounded in time; redirects are not followed (a
// receiver that redirects fails the attempt: the redirect target is not checked by anyone).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { addressKind, checkedAddresses, NetGuardError, pinnedLookup, type CheckedAddress, type HostLookup } from '@claude-code-mcp/net-guard';

/**
 * What one attempt came to.
 *
 * @example
 * ```ts
 * const outcome: AttemptOutcome = { ok: false, status: 503, error: 'the receiver answered 503', retryAfterMs: 30_000 };
 * ```
 */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  /** Why it failed, in words (never a secret or the payload). */
  readonly error?: string;
  /** The receiver's `Retry-After` (on 429 or 503), in milliseconds. */
  readonly retryAfterMs?: number;
}

/**
 * One attempt's request.
 *
 * @example
 * ```ts
 * const attempt: AttemptRequest = { url: 'https://hooks.example/claude', headers, body, timeoutMs: 10_000, allowPrivateAddresses: false };
 * ```
 */
export interface AttemptRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly allowPrivateAddresses: boolean;
  readonly lookup?: HostLookup;
  /** Extra trusted CA certificates (PEM) for https receivers (tests). */
  readonly ca?: readonly string[];
  /** Gives the attempt up (a stop that cannot wait for the timeout). */
  readonly signal?: AbortSignal;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

// Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function send(url: URL, attempt: AttemptRequest, addresses: readonly CheckedAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'https:';
  const options = {
    method: 'POST',
    host,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { ...attempt.headers, host: url.host, 'content-length': String(Buffer.byteLength(attempt.body)) },
    lookup: pinnedLookup(addresses),
    agent: false,
    signal,
    ...(secure ? { servername: host, ...(attempt.ca ? { ca: [...attempt.ca] } : {}) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(options, resolve);
    req.once('error', reject);
    req.end(attempt.body);
  });
}

// Reads (and drops) a bounded answer, so the connection ends cleanly.
function drain(response: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_RESPONSE_BYTES) response.destroy();
    });
    response.once('end', resolve);
    response.once('close', resolve);
    response.once('error', () => resolve());
  });
}

function failureOf(error: unknown, timeoutMs: number, timeout: AbortSignal): string {
  if (timeout.aborted) return `no answer within ${timeoutMs} ms`;
  if (NetGuardError.isInstance(error)) return error.message;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `the connection failed (${code})` : 'the connection failed';
}

/**
 * Makes one attempt. Never throws: a failure is an outcome.
 *
 * @example
 * ```ts
 * const outcome = await postDelivery({ url, headers: { ...signWebhook(…), 'content-type': 'application/json' }, body, timeoutMs: 10_000, allowPrivateAddresses: false });
 * ```
 */
export async function postDelivery(attempt: AttemptRequest): Promise<AttemptOutcome> {
  const url = new URL(attempt.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, status: null, error: `the URL scheme ${url.protocol} is not http or https` };
  const timeout = AbortSignal.timeout(attempt.timeoutMs);
  const signal = attempt.signal === undefined ? timeout : AbortSignal.any([timeout, attempt.signal]);
  try {
    const addresses = await checkedAddresses(url.hostname.replace(/^\[(.*)\]$/, '$1'), { allowPrivateAddresses: attempt.allowPrivateAddresses, ...(attempt.lookup ? { lookup: attempt.lookup } : {}), signal });
    // Plain http only inside: events and signatures do not cross the internet in clear.
    if (url.protocol === 'http:' && addresses.some(({ address }) => addressKind(address) === 'public')) {
      return { ok: false, status: null, error: `plain http goes only to private addresses; ${url.host} is public: use https` };
    }
    const response = await send(url, attempt, addresses, signal);
    await drain(response);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { ok: true, status };
    if (status >= 300 && status < 400) return { ok: false, status, error: `the receiver redirected (${status}); redirects are not followed` };
    const wait = status === 429 || status === 503 ? retryAfterMs(response.headers['retry-after'], Date.now()) : undefined;
    return { ok: false, status, error: `the receiver answered ${status}`, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
  } catch (error) {
    return { ok: false, status: null, error: attempt.signal?.aborted === true ? 'given up: the dispatcher stopped' : failureOf(error, attempt.timeoutMs, timeout) };
  }
}
