// Small readers that turn one environment variable into a typed value or a readable problem,
// shared by both servers so that a variable means the same thing in each.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

import * as z from 'zod';

/** A reader's verdict on one raw (trimmed, non-empty) value. */
export type ReadResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string; readonly fix: string };

export type Reader<T> = (raw: string) => ReadResult<T>;

export const accept = <T>(value: T): ReadResult<T> => ({ ok: true, value });
export const reject = (problem: string, fix: string): ReadResult<never> => ({ ok: false, problem, fix });

/** Formats the value a problem was caused by; secrets are never echoed. */
export function shown(raw: string, secret = false): string {
  return secret ? `a value of ${raw.length} characters` : JSON.stringify(raw);
}

/**
 * A zod schema for one variable: unset or blank means `fallback`; otherwise `read` decides, and a
 * rejection becomes the issue message `what is wrong (got "x"); how to fix`.
 */
export function variable<T>(
  read: Reader<T>,
  fallback: T,
  options: { readonly secret?: boolean } = {},
): z.ZodType<T, string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const trimmed = raw?.trim() ?? '';
      if (trimmed === '') return fallback;
      const result = read(trimmed);
      if (result.ok) return result.value;
      context.addIssue({
        code: 'custom',
        message: `${result.problem} (got ${shown(raw ?? '', options.secret)}); ${result.fix}`,
      });
      return z.NEVER;
    });
}

const truthy = new Set(['true', '1', 'yes']);
const falsy = new Set(['false', '0', 'no']);

export function booleanReader(name: string): Reader<boolean> {
  return (raw) => {
    const value = raw.toLowerCase();
    if (truthy.has(value)) return accept(true);
    if (falsy.has(value)) return accept(false);
    return reject('must be a boolean', `use true/false, 1/0 or yes/no, e.g. ${name}=true`);
  };
}

export function integerReader(
  name: string,
  {
    min,
    max = Number.MAX_SAFE_INTEGER,
    example,
    unit,
  }: { min: number; max?: number; example: string; unit?: string },
): Reader<number> {
  return (raw) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      const what = unit === undefined ? 'a whole number' : `a whole number of ${unit},`;
      return reject(`must be ${what} ${range}`, `e.g. ${name}=${example}`);
    }
    return accept(value);
  };
}

export function choiceReader<T extends string>(name: string, choices: readonly T[], example: T): Reader<T> {
  return (raw) => {
    const value = raw.toLowerCase();
    return (choices as readonly string[]).includes(value)
      ? accept(value as T)
      : reject(`must be one of ${choices.join(', ')}`, `e.g. ${name}=${example}`);
  };
}

/** Expands a leading `~` to the home directory and resolves a relative path against `cwd`. */
export function resolvePath(raw: string, cwd: string, homeDirectory: string): string {
  const expanded =
    raw === '~' ? homeDirectory : raw.startsWith('~/') ? path.join(homeDirectory, raw.slice(2)) : raw;
  return path.resolve(cwd, expanded);
}

export function pathReader(name: string, cwd: string, homeDirectory: string): Reader<string> {
  return (raw) =>
    raw.includes('\0')
      ? reject('must not contain a NUL character', `set ${name} to a directory path`)
      : accept(resolvePath(raw, cwd, homeDirectory));
}

/**
 * Splits a comma-separated list, ignoring commas inside parentheses so that tool rules such as
 * `Bash(git add:*,git commit:*)` stay whole. Blank entries are dropped, repeats removed.
 */
export function listReader(name: string): Reader<readonly string[]> {
  return (raw) => {
    const items: string[] = [];
    let depth = 0;
    let current = '';
    for (const character of raw) {
      if (character === '(') depth += 1;
      if (character === ')') depth -= 1;
      if (depth < 0) break;
      if (character === ',' && depth === 0) {
        items.push(current.trim());
        current = '';
      } else {
        current += character;
      }
    }
    if (depth !== 0) {
      return reject('has unbalanced parentheses', `close every "(" in ${name}, e.g. ${name}=Read,Bash(git status:*)`);
    }
    items.push(current.trim());
    return accept(Object.freeze([...new Set(items.filter((item) => item !== ''))]));
  };
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** `true` when `url` may serve OAuth: https, or http on a loopback host. */
export function isSecureOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || isLoopbackHostname(parsed.hostname);
}

/**
 * An absolute `http(s)` URL without credentials or a fragment, returned with a lower-case scheme
 * and host and no trailing slash on an empty path.
 */
export function urlReader(
  name: string,
  { allowQuery, example }: { allowQuery: boolean; example: string },
): Reader<string> {
  return (raw) => {
    const fix = `e.g. ${name}=${example}`;
    if (!URL.canParse(raw)) return reject('must be an absolute URL', fix);
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return reject('must be an http or https URL', fix);
    if (url.username !== '' || url.password !== '') {
      return reject('must not contain a user name or password', fix);
    }
    if (raw.includes('#')) return reject('must not have a fragment ("#…")', fix);
    if (!allowQuery && raw.includes('?')) return reject('must not have a query ("?…")', fix);
    const pathname = url.pathname === '/' ? '' : url.pathname;
    return accept(`${url.protocol}//${url.host}${pathname}${url.search}`);
  };
}

/**
 * The first executable `command` in the folders of `pathVariable` (a `PATH` value), or
 * `undefined`. For `CLAUDE_CODE_PATH` given as a bare command name.
 *
 * @example
 * ```ts
 * findOnPath('claude', process.env.PATH); // '/usr/local/bin/claude'
 * ```
 */
export function findOnPath(command: string, pathVariable: string | undefined): string | undefined {
  for (const folder of (pathVariable ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
