// Writes a web-standard Response (what the SDK's handler answers) to a Node response, as the SDK's
// toNodeHandler does, for a route that already built the web Request it classified: one
// conversion per request instead of two.
import type { ServerResponse } from 'node:http';

/**
 * Sends `response` on `res`: status and headers, then the body as it streams (SSE included),
 * waiting for `drain` when the socket is full, and stopping when `res` closes first (then `abort`
 * is aborted, which the handler's request signal follows).
 *
 * @example
 * ```ts
 * const abort = abortOnClose(reply.raw);
 * const webRequest = await toWebRequest(request.raw, request.body, { signal: abort.signal });
 * await writeWebResponse(await handler.fetch(webRequest, { parsedBody: request.body }), reply.raw, abort);
 * ```
 */
export async function writeWebResponse(response: Response, res: ServerResponse, abort: AbortController): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  if (response.body === null || abort.signal.aborted) {
    res.end();
    return;
  }
  const closed = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    for await (const chunk of response.body) {
      if (abort.signal.aborted) break;
      if (!res.write(chunk)) await Promise.race([new Promise<void>((resolve) => res.once('drain', resolve)), closed]);
    }
  } catch {
    // The body failed or was cancelled: what was sent stays sent.
  } finally {
    res.end();
  }
}

/**
 * An AbortController aborted when `res` closes before it has finished (the client went away).
 *
 * @example
 * ```ts
 * const abort = abortOnClose(reply.raw);
 * ```
 */
export function abortOnClose(res: ServerResponse): AbortController {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  if (res.destroyed) abort.abort();
  return abort;
}
