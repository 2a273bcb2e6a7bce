// Internal: reads the `---` YAML frontmatter of an agent file the way Claude Code 2.1.332 does.
import { parse as parseYaml } from 'yaml';

/**
 * The frontmatter block: `---` on the first line (after an optional BOM), then everything up to the
 * next `---` anywhere, even inside a value. Same expression as the CLI, so `description: a---b`
 * reads as `a` there and here.
 */
const FRONTMATTER = /^---\s*\n([\s\S]*?)---\s*\n?/;

/** Values that the CLI's fallback pass wraps in double quotes before parsing again. */
const SPECIAL_VALUE = /[{}[\]*&#!|>%@`]|: /;

/** Outcome of {@link readFrontmatter}. */
export interface Frontmatter {
  /** `true` when the file starts with a frontmatter block. */
  readonly present: boolean;
  /** The parsed mapping; `{}` when absent, empty or unusable. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Why the block could not be used (not YAML, not a mapping); the CLI then reads it as `{}`. */
  readonly error?: string;
  /** The block only parsed after the CLI's lenient rewrite (quoted values, tabs to spaces). */
  readonly lenient?: boolean;
  /** The text after the block (the agent's prompt). */
  readonly body: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStrict(block: string): unknown {
  // Duplicate keys: the CLI (Bun's YAML parser) keeps the last one, so do not reject them.
  return parseYaml(block, { uniqueKeys: false });
}

/**
 * The CLI's second attempt when a block is not valid YAML: a `key: value` line whose unquoted value
 * holds YAML syntax characters gets that value double-quoted; leading tabs become two spaces each.
 */
function lenientRewrite(block: string): string {
  const lines = block.split('\n').map((line) => {
    const match = /^([a-zA-Z_-]+):\s+(\S.*)$/.exec(line);
    if (!match) return line;
    const key = match[1] ?? '';
    const value = match[2] ?? '';
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) return line;
    if (value.startsWith('[') && value.endsWith(']')) {
      try {
        if (Array.isArray(parseStrict(value))) return line;
      } catch {
        // not a flow list after all: fall through to quoting
      }
    }
    if (!SPECIAL_VALUE.test(value)) return line;
    return `${key}: "${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return lines.join('\n').replace(/^\t+/gm, (tabs) => '  '.repeat(tabs.length));
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? text;
}

/**
 * Splits `text` into frontmatter and body and parses the frontmatter like the CLI: strict YAML,
 * then the lenient rewrite; a block that still fails, or is not a mapping, reads as `{}` with
 * `error` set.
 *
 * @example
 * ```ts
 * readFrontmatter('---\nname: a\ndescription: b\n---\nprompt').data; // { name: 'a', description: 'b' }
 * ```
 */
export function readFrontmatter(text: string): Frontmatter {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const match = source.indexOf('---', 3) < 0 ? null : FRONTMATTER.exec(source);
  if (!match) return { present: false, data: {}, body: text };
  const block = match[1] ?? '';
  const body = source.slice(match[0].length);
  let value: unknown;
  let lenient = false;
  try {
    value = parseStrict(block);
  } catch {
    try {
      value = parseStrict(lenientRewrite(block));
      lenient = true;
    } catch (error) {
      return { present: true, data: {}, error: `the frontmatter is not valid YAML (${errorText(error)})`, body };
    }
  }
  if (value == null) return { present: true, data: {}, body, ...(lenient && { lenient }) };
  if (!isRecord(value)) {
    return {
      present: true,
      data: {},
      error: `the frontmatter must be a YAML mapping (key: value lines), not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
      body,
    };
  }
  return { present: true, data: value, body, ...(lenient && { lenient }) };
}

/**
 * Splits a tool list the way the CLI does: at commas and spaces outside parentheses, so
 * `Bash(git diff, git log), Read Grep` gives `['Bash(git diff, git log)', 'Read', 'Grep']`.
 */
function splitToolRules(values: readonly string[]): string[] {
  const rules: string[] = [];
  for (const value of values) {
    let current = '';
    let inParens = false;
    for (const char of value) {
      if (char === '(') {
        inParens = true;
        current += char;
      } else if (char === ')') {
        inParens = false;
        current += char;
      } else if ((char === ',' || char === ' ') && !inParens) {
        if (current.trim()) rules.push(current.trim());
        current = '';
      } else if (current || char.trim()) {
        current += char;
      }
    }
    if (current.trim()) rules.push(current.trim());
  }
  return rules;
}

/**
 * A `tools`/`disallowedTools` value as the CLI reads it: absent → `undefined`; a string or a list
 * of strings → the rules; any `*` → `null` (every tool); anything else (empty string, `null`,
 * a number, a list without strings) → `[]` (no tools).
 *
 * @example
 * ```ts
 * parseToolList('Read, Grep'); // ['Read', 'Grep']
 * parseToolList(['Read', '*']); // null
 * ```
 */
export function parseToolList(value: unknown): string[] | null | undefined {
  if (value === undefined) return undefined;
  let strings: string[] = [];
  if (typeof value === 'string') strings = value ? [value] : [];
  else if (Array.isArray(value)) strings = value.filter((item): item is string => typeof item === 'string');
  const rules = splitToolRules(strings);
  return rules.includes('*') ? null : rules;
}

/** A `model` value as the CLI reads it: a non-blank string, trimmed, with any casing of `inherit` lowered. */
export function parseModel(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const model = value.trim();
  return model.toLowerCase() === 'inherit' ? 'inherit' : model;
}
