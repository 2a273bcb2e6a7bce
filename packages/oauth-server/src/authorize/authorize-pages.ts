// The sign-in and consent page, and the error page: plain HTML forms that work without
// JavaScript, every value escaped, styled by one stylesheet allowed by its hash (no inline script
// can run), never framed, never cached, never sending a Referer.
import { createHash } from 'node:crypto';

import type { CheckedAuthorizeRequest } from './authorize-request.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}
label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem;font:inherit}
.actions{margin-top:1.2rem;display:flex;gap:1rem}button{font:inherit;padding:.5rem 1.2rem}.error{color:#a00;font-weight:600}
.warning{background:#fff4d6;padding:.5rem .8rem}ul{margin:.2rem 0;padding-left:1.2rem}`;

/** Response headers of every page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  pragma: 'no-cache',
});

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** HTML-escapes text for element content and quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => escapes[character]!);

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** What the consent page shows and submits. */
export interface ConsentPage {
  readonly request: CheckedAuthorizeRequest;
  readonly serverName: string;
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly scopeDescriptions: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly username?: string;
  /** The upstream provider offered beside the password, by name. */
  readonly upstreamName?: string;
}

// Where the code would go: the host a person can judge, with a warning when it is this computer.
function redirectTarget(redirectUri: string): { host: string; loopback: boolean } {
  const url = new URL(redirectUri);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  return { host: url.host === '' ? `${url.protocol}//` : url.host, loopback };
}

/** The sign-in and consent page of one authorization request. */
export function consentPage(page: ConsentPage): string {
  const { request } = page;
  const client = escapeHtml(request.client.clientName);
  const target = redirectTarget(request.redirectUri);
  const scopes = request.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code>${page.scopeDescriptions[scope] ? ` — ${escapeHtml(page.scopeDescriptions[scope])}` : ''}</li>`).join('');
  return layout(`Sign in to ${page.serverName}`, `
<h1>${client} wants to use ${escapeHtml(page.serverName)}</h1>
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<dl>
<dt>Application</dt><dd>${client}<br><small>${escapeHtml(request.client.clientId)}</small></dd>
<dt>Sends you back to</dt><dd>${escapeHtml(target.host)}</dd>
<dt>Access to</dt><dd>${escapeHtml(request.resource)}</dd>
<dt>Permissions</dt><dd><ul>${scopes || '<li>none</li>'}</ul></dd>
</dl>
${target.loopback ? '<p class="warning">This application receives the answer on this computer. Any program running here could claim to be it: approve only if you just started it yourself.</p>' : ''}
<form method="post" action="authorize">
<input type="hidden" name="interaction" value="${escapeHtml(page.interactionId)}">
<input type="hidden" name="csrf" value="${escapeHtml(page.csrfToken)}">
<label for="username">User name</label><input type="text" id="username" name="username" autocomplete="username" required value="${escapeHtml(page.username ?? '')}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit" name="decision" value="approve">Sign in and allow</button><button type="submit" name="decision" value="deny" formnovalidate>Deny</button></div>
${page.upstreamName ? `<p>or</p><div class="actions"><button type="submit" name="decision" value="upstream" formnovalidate>Sign in with ${escapeHtml(page.upstreamName)} and allow</button></div>` : ''}
</form>`);
}

/** A page with the server's headers and style: a title and its body. */
export function simplePage(title: string, body: string): string {
  return layout(title, body);
}

/** A page that explains why nothing can go on: no redirect to an unchecked client. */
export function errorPage(message: string): string {
  return layout('Authorization failed', `<h1>This authorization cannot go on</h1><p class="error" role="alert">${escapeHtml(message)}</p><p>Close this page and start again from the application.</p>`);
}
