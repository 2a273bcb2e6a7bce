// Checks of what callers give the checkpoint engine, and the errors it explains itself with.
import { McpToolsError } from '../errors.js';
import type { Overage, SnapshotLimits } from './shadow-repo.js';

/**
 * Shape of a checkpoint id: `ckpt_` and 20 lowercase hex digits.
 *
 * @example
 * ```ts
 * if (!CHECKPOINT_ID_PATTERN.test(id)) throw new Error('not a checkpoint id');
 * ```
 */
export const CHECKPOINT_ID_PATTERN: RegExp = /^ckpt_[0-9a-f]{20}$/;
/**
 * Default `CompareCheckpointsOptions.maxDiffBytes`: 64 KiB.
 *
 * @example
 * ```ts
 * const result = await checkpoints.compare(id, 'present', { maxDiffBytes: DEFAULT_MAX_DIFF_BYTES * 4 });
 * ```
 */
export const DEFAULT_MAX_DIFF_BYTES = 64 * 1024;
const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_LABEL_LENGTH = 200;

export function invalidOptions(message: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid checkpoint options: ${message}.`);
}

export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidOptions(`${name} must be a whole number of at least 1 (got ${typeof value === 'number' ? value : typeof value})`);
  }
  return value;
}

export function invalidArgument(message: string): McpToolsError {
  return new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', message);
}

export function checkId(id: unknown, what = 'checkpoint id'): string {
  if (typeof id !== 'string' || !CHECKPOINT_ID_PATTERN.test(id)) {
    let shown: string;
    try {
      shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(id);
    } catch {
      shown = typeof id;
    }
    throw invalidArgument(
      `Invalid ${what} ${shown}: checkpoint ids look like "ckpt_" followed by 20 hex digits; list the checkpoints to find one.`,
    );
  }
  return id;
}

export function optionalConversationId(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !CONVERSATION_ID_PATTERN.test(value)) {
    throw invalidArgument(
      `Invalid ${name}: expected up to 128 letters, digits, ".", "_", ":" or "-" (such as a UUID), got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value}.`,
    );
  }
  return value;
}

export function optionalLabel(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalidArgument(`Invalid label: it must be text of at most ${MAX_LABEL_LENGTH} characters, without line breaks or control characters.`);
  }
  return value;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatBytes(value: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${amount} bytes` : `${amount.toFixed(1)} ${units[unit]}`;
}

export function tooLarge(doing: string, overage: Overage, limits: SnapshotLimits, after: string): McpToolsError {
  const found = overage.countIsLowerBound
    ? `more than ${formatCount(limits.maxFiles)} files`
    : `${formatCount(overage.files)} files totalling ${formatBytes(overage.bytes)}`;
  const exceeded: string[] = [];
  if (overage.countIsLowerBound || overage.files > limits.maxFiles) exceeded.push(`${formatCount(limits.maxFiles)} files`);
  if (!overage.countIsLowerBound && overage.bytes > limits.maxBytes) exceeded.push(formatBytes(limits.maxBytes));
  const largest = overage.largest
    .map((entry) => `${entry.name} (${formatCount(entry.files)} files${overage.countIsLowerBound ? ' or more' : `, ${formatBytes(entry.bytes)}`})`)
    .join(', ');
  return new McpToolsError(
    'MCP_TOOLS_CHECKPOINT_TOO_LARGE',
    `Cannot ${doing}: it would capture ${found}, over the checkpoint limit of ${exceeded.join(' and ')}.` +
      (largest === '' ? '' : ` Largest entries: ${largest}.`) +
      ' Add what needs no checkpoint (dependencies, build output, data files) to .gitignore, since ignored files are skipped, or raise the checkpoint limits (maxFiles, maxBytes).' +
      after,
  );
}

export function directoryError(cwd: string, error: unknown): McpToolsError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new McpToolsError('MCP_TOOLS_DIRECTORY_NOT_FOUND', `The directory ${cwd} does not exist.`, { cause: error });
  }
  if (code === 'ENOTDIR') {
    return new McpToolsError('MCP_TOOLS_NOT_A_DIRECTORY', `${cwd} is not a directory.`, { cause: error });
  }
  return new McpToolsError(
    'MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE',
    `The directory ${cwd} cannot be used: ${(error as Error).message}.`,
    { cause: error },
  );
}
