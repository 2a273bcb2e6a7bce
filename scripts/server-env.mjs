// The environment `npm start` gives the server, and through it Claude Code and its Bash tool: the
// user's own, without what npm adds to a script's (its config as npm_config_*, node_modules/.bin
// folders of this clone on PATH, its lifecycle variables). Written for Node >= 18.
import { existsSync, readFileSync } from 'node:fs';

// The npm settings a user may rely on to reach a registry from Claude Code's Bash.
const NPM_NETWORK = /^npm_config_(registry|cafile|ca|https_proxy|http_proxy|proxy|noproxy|no_proxy|strict_ssl)$/i;
const NPM_ADDED = /^(npm_|INIT_CWD$|NODE$|COLOR$)/;

/**
 * @param {NodeJS.ProcessEnv} base - this process's environment (npm's script environment).
 * @param {string} workingDirectory - where the server runs.
 * @returns {NodeJS.ProcessEnv}
 */
export function serverEnv(base, workingDirectory) {
  const env = {};
  for (const [key, value] of Object.entries(base)) {
    // npm sets its network settings for every script, empty when unset: only real values stay.
    if (NPM_ADDED.test(key) && !(NPM_NETWORK.test(key) && value)) continue;
    env[key] = value;
  }
  env.PATH = (base.PATH ?? '')
    .split(':')
    .filter((folder) => folder !== '' && !folder.endsWith('/node_modules/.bin') && !folder.includes('node-gyp-bin'))
    .join(':');
  env.PWD = workingDirectory;
  return env;
}

/**
 * The `NAME=value` lines of a .env file (what `node --env-file` reads), for the few settings the
 * launcher itself needs (TRANSPORT, PORT). Comments, blank lines and `export ` prefixes are
 * skipped; one pair of surrounding quotes is removed.
 *
 * @param {string} file
 * @returns {Record<string, string>}
 */
export function readDotEnv(file) {
  if (!existsSync(file)) return {};
  const values = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const raw = match[2];
    values[match[1]] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw.replace(/\s+#.*$/, '');
  }
  return values;
}
