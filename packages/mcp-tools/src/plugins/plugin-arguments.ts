// Validation of every value that reaches the argv of `claude plugin …`.
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { McpToolsError } from '../errors.js';

/**
 * Plugin and marketplace names: a letter or digit, then letters, digits, `.`, `_` or `-`, at most
 * 128 characters. No leading `-` (it would read as a flag), no spaces, no shell or path characters.
 *
 * @example
 * ```ts
 * PLUGIN_NAME_PATTERN.test('code-review'); // true
 * PLUGIN_NAME_PATTERN.test('--help');      // false
 * ```
 */
export const PLUGIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** GitHub `owner/repo`, the CLI's own pattern; an optional `#ref` or `@ref` names a branch or tag. */
const GITHUB_REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/;
const GIT_REF = /^[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}$/;
/** scp-like git address, `user@host:path[.git][#ref]`, e.g. `git@github.com:owner/repo.git`. */
const SCP_GIT = /^[A-Za-z0-9._-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?:[A-Za-z0-9._~][A-Za-z0-9._~/-]*$/;
const MAX_SOURCE_LENGTH = 2048;

/**
 * A validated marketplace source, as `claude plugin marketplace add` will receive it.
 *
 * @example
 * ```ts
 * const source: MarketplaceSource = { kind: 'github', value: 'anthropics/claude-plugins' };
 * ```
 */
export interface MarketplaceSource {
  /** `directory`: an existing local folder; `github`: `owner/repo`; `https`: an https URL; `git`: an scp-like git address. */
  kind: 'directory' | 'github' | 'https' | 'git';
  /** The argument to pass (a directory is normalised). */
  value: string;
}

/** The marketplace-source forms accepted, for error messages. */
const SOURCE_FORMS =
  'an absolute path of an existing local directory, a GitHub "owner/repo" (optionally "#ref"), ' +
  'an "https://" URL, or a git address like "git@github.com:owner/repo.git"';

function invalid(message: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', message);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function checkName(value: unknown, what: 'plugin' | 'marketplace'): string {
  if (typeof value !== 'string' || !PLUGIN_NAME_PATTERN.test(value)) {
    throw invalid(
      `Invalid ${what} name ${show(value)}: use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit ` +
        '(no spaces, no leading "-", no shell or path characters).',
    );
  }
  return value;
}

/**
 * Checks a plugin name (`demo`).
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` when it does not match {@link PLUGIN_NAME_PATTERN}.
 * @example
 * ```ts
 * validatePluginName('demo'); // 'demo'
 * ```
 */
export function validatePluginName(value: unknown): string {
  return checkName(value, 'plugin');
}

/**
 * Checks a marketplace name (`localmkt`).
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` when it does not match {@link PLUGIN_NAME_PATTERN}.
 * @example
 * ```ts
 * validateMarketplaceName('claude-plugins-official'); // 'claude-plugins-official'
 * ```
 */
export function validateMarketplaceName(value: unknown): string {
  return checkName(value, 'marketplace');
}

/**
 * Splits and checks a plugin reference, `plugin` or `plugin@marketplace`; a separate `marketplace`
 * must agree with the one in the reference.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS`.
 * @example
 * ```ts
 * validatePluginReference('demo@localmkt'); // { plugin: 'demo', marketplace: 'localmkt' }
 * ```
 */
export function validatePluginReference(
  reference: unknown,
  marketplace?: unknown,
): { plugin: string; marketplace: string | undefined } {
  if (typeof reference !== 'string') throw invalid(`Invalid plugin ${show(reference)}: expected "plugin" or "plugin@marketplace".`);
  const at = reference.indexOf('@');
  const plugin = validatePluginName(at < 0 ? reference : reference.slice(0, at));
  const fromReference = at < 0 ? undefined : validateMarketplaceName(reference.slice(at + 1));
  const explicit = marketplace === undefined ? undefined : validateMarketplaceName(marketplace);
  if (fromReference !== undefined && explicit !== undefined && fromReference !== explicit) {
    throw invalid(`The plugin "${reference}" names marketplace "${fromReference}" but marketplace "${explicit}" was also given; pass one.`);
  }
  return { plugin, marketplace: fromReference ?? explicit };
}

function checkRef(ref: string, original: string): void {
  if (!GIT_REF.test(ref) || ref.includes('..')) {
    throw invalid(`Invalid git ref in marketplace source ${show(original)}: use letters, digits, ".", "_", "/" or "-".`);
  }
}

function checkHttps(value: string): MarketplaceSource {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`Invalid marketplace source ${show(value)}: not a valid URL.`);
  }
  if (url.protocol !== 'https:' || url.hostname === '') {
    throw invalid(`Invalid marketplace source ${show(value)}: URLs must use https://.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      `Invalid marketplace source ${show(`${url.protocol}//…@${url.host}${url.pathname}`)}: do not put credentials in the URL; configure git credentials instead.`,
    );
  }
  return { kind: 'https', value };
}

/**
 * Checks a marketplace source for `claude plugin marketplace add`: an absolute path of an existing
 * directory, a GitHub `owner/repo[#ref]`, an `https://` URL (no credentials), or an scp-like git
 * address `user@host:path[#ref]`. Relative and `~` paths, `http://`, `ssh://`, `file://`, flag-like
 * values, whitespace and control characters are rejected.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` with the accepted forms.
 * @example
 * ```ts
 * await validateMarketplaceSource('/srv/marketplace'); // { kind: 'directory', value: '/srv/marketplace' }
 * await validateMarketplaceSource('anthropics/claude-plugins'); // { kind: 'github', … }
 * ```
 */
export async function validateMarketplaceSource(value: unknown): Promise<MarketplaceSource> {
  if (typeof value !== 'string' || value === '') throw invalid(`A marketplace source is required: ${SOURCE_FORMS}.`);
  if (value.length > MAX_SOURCE_LENGTH) throw invalid(`The marketplace source is longer than ${MAX_SOURCE_LENGTH} characters.`);
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`Invalid marketplace source ${show(value)}: it must not contain spaces or control characters.`);
  }
  if (value.startsWith('-')) throw invalid(`Invalid marketplace source ${show(value)}: it must not start with "-". Use ${SOURCE_FORMS}.`);

  if (path.isAbsolute(value)) {
    const directory = path.resolve(value);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(directory)).isDirectory();
    } catch {
      throw invalid(`The marketplace directory "${directory}" does not exist or cannot be read.`);
    }
    if (!isDirectory) throw invalid(`The marketplace source "${directory}" is not a directory.`);
    return { kind: 'directory', value: directory };
  }
  if (/^https:\/\//i.test(value)) return checkHttps(value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw invalid(`Invalid marketplace source ${show(value)}: only https:// URLs are accepted. Use ${SOURCE_FORMS}.`);
  }
  if (value.includes('@') && value.includes(':')) {
    const hash = value.indexOf('#');
    const address = hash < 0 ? value : value.slice(0, hash);
    if (SCP_GIT.test(address) && !address.split(':')[1]?.split('/').includes('..')) {
      if (hash >= 0) checkRef(value.slice(hash + 1), value);
      return { kind: 'git', value };
    }
  }
  const refAt = value.search(/[#@]/);
  const repo = refAt < 0 ? value : value.slice(0, refAt);
  if (GITHUB_REPO.test(repo) && !repo.endsWith('/.') && !repo.endsWith('/..')) {
    if (refAt >= 0) checkRef(value.slice(refAt + 1), value);
    return { kind: 'github', value };
  }
  if (value.startsWith('.') || value.startsWith('~')) {
    throw invalid(`Invalid marketplace source ${show(value)}: a local directory must be given as an absolute path.`);
  }
  if (value.includes('/') || value.includes('\\')) {
    throw invalid(
      `Invalid marketplace source ${show(value)}: not a GitHub "owner/repo", and a local directory must be given as an absolute path. Use ${SOURCE_FORMS}.`,
    );
  }
  throw invalid(`Invalid marketplace source ${show(value)}: use ${SOURCE_FORMS}.`);
}
