// The variables both servers read for operating them: Prometheus metrics and webhooks. Where
// `/metrics` is served differs (the HTTP server may serve it on its own port), so each server adds
// its own checks of METRICS_PORT; what the webhook variables mean is the same in both.
import { isWebhookSecret } from '@claude-code-mcp/webhooks/secret';
import type * as z from 'zod';

import { accept, booleanReader, integerReader, reject, urlReader, variable, type ReadResult } from './env-variables.js';

/**
 * Where `/metrics` is served, when it is.
 *
 * @example
 * ```ts
 * const metrics: MetricsConfig = { enabled: true, port: 9464, host: '127.0.0.1' };
 * ```
 */
export type MetricsConfig = { readonly enabled: false } | { readonly enabled: true; readonly port: number | undefined; readonly host: string };

/**
 * Webhook settings: either off, or on with the receivers.
 *
 * @example
 * ```ts
 * if (config.webhooks.enabled) startOutbox(config.webhooks.endpoints);
 * ```
 */
export type WebhooksConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** `WEBHOOK_URL`: one or more receivers (comma-separated), each with its `WEBHOOK_SECRET` (or none: generated). */
      readonly endpoints: readonly { readonly url: string; readonly secret: string | undefined }[];
      /** `WEBHOOK_EVENTS`: names or `family.*`; empty: every event. */
      readonly events: readonly string[];
      /** `WEBHOOK_ALLOW_PRIVATE_ADDRESSES`: receivers on loopback and private networks. */
      readonly allowPrivateAddresses: boolean;
      /** `WEBHOOK_MAX_ATTEMPTS`: attempts before a delivery is a dead letter. */
      readonly maxAttempts: number;
    };

/**
 * The operations settings of a server.
 *
 * @example
 * ```ts
 * const { metrics, webhooks }: OperationsConfig = operationsConfigFrom(values);
 * ```
 */
export interface OperationsConfig {
  /** `METRICS_ENABLED`, `METRICS_PORT`, `METRICS_HOST`. Default: off. */
  readonly metrics: MetricsConfig;
  /** `WEBHOOKS_ENABLED`, `WEBHOOK_*`. Default: off. */
  readonly webhooks: WebhooksConfig;
}

/**
 * The names of the operations variables, in the order they are documented (and problems reported).
 *
 * @example
 * ```ts
 * const order = [...TOOLS_VARIABLES, ...OPERATIONS_VARIABLES];
 * ```
 */
export const OPERATIONS_VARIABLES: readonly string[] = Object.freeze([
  'METRICS_ENABLED',
  'METRICS_PORT',
  'METRICS_HOST',
  'WEBHOOKS_ENABLED',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'WEBHOOK_EVENTS',
  'WEBHOOK_ALLOW_PRIVATE_ADDRESSES',
  'WEBHOOK_MAX_ATTEMPTS',
]);

/**
 * The variables that hold secrets of the server's own: removed from the environment Claude Code
 * (and whatever its Bash tool runs) inherits.
 *
 * @example
 * ```ts
 * for (const name of OPERATIONS_SECRET_VARIABLES) delete process.env[name];
 * ```
 */
export const OPERATIONS_SECRET_VARIABLES: readonly string[] = Object.freeze(['WEBHOOK_URL', 'WEBHOOK_SECRET']);

// WEBHOOK_URL: receivers, comma-separated; https (plain http only with private addresses
// allowed, and then only to them: checked when delivering).
const webhookUrl = urlReader('WEBHOOK_URL', { allowQuery: true, example: 'https://hooks.example.com/claude' });
function webhookUrlsReader(raw: string): ReadResult<readonly string[] | undefined> {
  const urls: string[] = [];
  for (const item of raw.split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const read = webhookUrl(item);
    if (!read.ok) return read;
    urls.push(read.value);
  }
  if (urls.length > 10) return reject('names more than 10 receivers', 'fan out behind one receiver instead');
  if (new Set(urls).size !== urls.length) return reject('names a receiver twice', 'name each once');
  return urls.length === 0 ? reject('names no URL', 'e.g. WEBHOOK_URL=https://hooks.example.com/claude') : accept(Object.freeze(urls));
}

// WEBHOOK_SECRET: one whsec_ secret for every receiver, or one per WEBHOOK_URL, in order.
function webhookSecretsReader(raw: string): ReadResult<readonly string[] | undefined> {
  const secrets = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (secrets.length === 0 || !secrets.every(isWebhookSecret)) {
    return reject('must be whsec_ secrets (Standard Webhooks), one for all receivers or one per WEBHOOK_URL', 'leave it unset to have one generated and logged once');
  }
  return accept(Object.freeze(secrets));
}

// WEBHOOK_EVENTS: event names or families.
function webhookEventsReader(raw: string): ReadResult<readonly string[]> {
  const events = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = events.find((event) => !/^(?:\*|[a-z][a-z_]*(?:\.(?:\*|[a-z][a-z_]*))?)$/.test(event));
  return bad === undefined ? accept(Object.freeze(events)) : reject(`has ${JSON.stringify(bad.slice(0, 40))}, which is not an event name, a family such as tool.*, or *`, 'e.g. WEBHOOK_EVENTS=tool.*,background_task.*');
}

// An IPv6 address is given bare to listen(): [::1] and ::1 are the same.
function metricsHostReader(raw: string): ReadResult<string> {
  return /^(?:[\w.-]+|\[?[\da-f:.]+\]?)$/i.test(raw) ? accept(raw.replace(/^\[(.*)\]$/, '$1')) : reject('must be an IP address or host name', 'e.g. METRICS_HOST=127.0.0.1');
}

type Variable<T> = z.ZodType<T, string | undefined>;

/**
 * One zod schema per operations variable (see {@link operationsVariables}).
 *
 * @example
 * ```ts
 * const shape: OperationsVariables = operationsVariables();
 * ```
 */
export interface OperationsVariables {
  readonly METRICS_ENABLED: Variable<boolean>;
  readonly METRICS_PORT: Variable<number | undefined>;
  readonly METRICS_HOST: Variable<string>;
  readonly WEBHOOKS_ENABLED: Variable<boolean>;
  readonly WEBHOOK_URL: Variable<readonly string[] | undefined>;
  readonly WEBHOOK_SECRET: Variable<readonly string[] | undefined>;
  readonly WEBHOOK_EVENTS: Variable<readonly string[]>;
  readonly WEBHOOK_ALLOW_PRIVATE_ADDRESSES: Variable<boolean>;
  readonly WEBHOOK_MAX_ATTEMPTS: Variable<number>;
}

/**
 * The parsed values of {@link OperationsVariables}.
 *
 * @example
 * ```ts
 * const values: OperationsValues = parsed;
 * ```
 */
export type OperationsValues = { readonly [Name in keyof OperationsVariables]: z.output<OperationsVariables[Name]> };

/**
 * The zod shape of the operations variables: merge it into an app's `z.object({...})`, run
 * {@link checkOperations} in its `superRefine`, and map with {@link operationsConfigFrom}.
 *
 * @example
 * ```ts
 * const schema = z.object({ ...toolsVariables(env, context), ...operationsVariables() }).superRefine((values, issues) => checkOperations(values, env, issues));
 * ```
 */
export function operationsVariables(): OperationsVariables {
  return {
    METRICS_ENABLED: variable(booleanReader('METRICS_ENABLED'), false),
    METRICS_PORT: variable<number | undefined>(integerReader('METRICS_PORT', { min: 1, max: 65_535, example: '9464' }), undefined),
    METRICS_HOST: variable<string>(metricsHostReader, '127.0.0.1'),
    WEBHOOKS_ENABLED: variable(booleanReader('WEBHOOKS_ENABLED'), false),
    // A URL may carry a token in its path or query, so a bad value is never echoed.
    WEBHOOK_URL: variable<readonly string[] | undefined>(webhookUrlsReader, undefined, { secret: true }),
    WEBHOOK_SECRET: variable<readonly string[] | undefined>(webhookSecretsReader, undefined, { secret: true }),
    WEBHOOK_EVENTS: variable<readonly string[]>(webhookEventsReader, Object.freeze([])),
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: variable(booleanReader('WEBHOOK_ALLOW_PRIVATE_ADDRESSES'), false),
    WEBHOOK_MAX_ATTEMPTS: variable(integerReader('WEBHOOK_MAX_ATTEMPTS', { min: 1, max: 50, example: '15' }), 15),
  };
}

/**
 * The checks across the webhook variables, for an app's `superRefine`. It runs even when single
 * variables failed (so that every problem is reported at once): a failed one holds no usable value.
 *
 * @example
 * ```ts
 * schema.superRefine((values, issues) => checkOperations(values, env, issues), { when: () => true });
 * ```
 */
export function checkOperations(values: Partial<Record<keyof OperationsVariables, unknown>>, env: Readonly<Record<string, string | undefined>>, issues: z.RefinementCtx): void {
  const urls = Array.isArray(values.WEBHOOK_URL) ? (values.WEBHOOK_URL as readonly string[]) : undefined;
  const secrets = Array.isArray(values.WEBHOOK_SECRET) ? (values.WEBHOOK_SECRET as readonly string[]) : undefined;
  if (urls !== undefined && secrets !== undefined && secrets.length > 1 && secrets.length !== urls.length) {
    issues.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: `has ${secrets.length} secrets for ${urls.length} receivers; give one for all, or one per WEBHOOK_URL in the same order` });
  }
  // Plain http is for receivers on this machine or a private network (checked again when delivering).
  if (urls !== undefined && values.WEBHOOK_ALLOW_PRIVATE_ADDRESSES !== true && urls.some((url) => url.startsWith('http:'))) {
    issues.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'must use https; plain http only to a receiver on this machine or a private network, with WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true' });
  }
  if (values.WEBHOOKS_ENABLED === true && (env['WEBHOOK_URL'] === undefined || env['WEBHOOK_URL'].trim() === '')) {
    issues.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'is required when WEBHOOKS_ENABLED=true (not set); set the receiver URL, or set WEBHOOKS_ENABLED=false' });
  }
}

/**
 * Maps parsed operations variables to a frozen {@link OperationsConfig}.
 *
 * @example
 * ```ts
 * return Object.freeze({ ...toolsConfigFrom(values), ...operationsConfigFrom(values) });
 * ```
 */
export function operationsConfigFrom(values: OperationsValues): OperationsConfig {
  const urls = values.WEBHOOK_URL;
  const secrets = values.WEBHOOK_SECRET;
  const webhooks: WebhooksConfig =
    values.WEBHOOKS_ENABLED && urls !== undefined
      ? Object.freeze({
          enabled: true,
          endpoints: Object.freeze(urls.map((url, index) => Object.freeze({ url, secret: secrets?.[secrets.length === 1 ? 0 : index] }))),
          events: values.WEBHOOK_EVENTS,
          allowPrivateAddresses: values.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
          maxAttempts: values.WEBHOOK_MAX_ATTEMPTS,
        })
      : Object.freeze({ enabled: false });
  const metrics: MetricsConfig = values.METRICS_ENABLED ? Object.freeze({ enabled: true, port: values.METRICS_PORT, host: values.METRICS_HOST }) : Object.freeze({ enabled: false });
  return Object.freeze({ metrics, webhooks });
}
