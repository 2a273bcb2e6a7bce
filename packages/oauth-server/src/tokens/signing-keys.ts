// The authorization server's signing keys, rotated so that nobody notices: the next key is
// published before it signs (verifiers that cache the key set find it), the one it replaces stays
// published until the tokens it signed have expired, and then it goes.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import * as z from 'zod';

import { OAuthServerError } from '../errors.js';
import type { KeyStore, SigningKeyRecord } from './key-store.js';

/**
 * Options of {@link SigningKeys}.
 *
 * @example
 * ```ts
 * const keys = new SigningKeys({ store, rotateEveryMs: 7 * 24 * 3_600_000 });
 * ```
 */
export interface SigningKeysOptions {
  readonly store: KeyStore;
  /** A key signs for this long before the next one takes over. Default: 30 days. */
  readonly rotateEveryMs?: number;
  /** The next key is published this long before it signs. Default: 15 minutes (verifiers cache key sets for 5 to 10). */
  readonly publishAheadMs?: number;
  /** A replaced key stays published this long: the longest token lifetime plus clock skew. Default: 65 minutes. */
  readonly keepReplacedMs?: number;
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;
// Another process may add the next key: it is published publishAheadMs before it signs, and a
// verifier here learns of it within this.
const MAX_CACHE_MS = 60_000;

const settingsSchema = z
  .object({
    rotateEveryMs: z.number().int().min(3_600_000).max(365 * DAY_MS).default(30 * DAY_MS),
    publishAheadMs: z.number().int().min(0).max(DAY_MS).default(15 * 60_000),
    keepReplacedMs: z.number().int().min(6 * 60_000).max(30 * DAY_MS).default(65 * 60_000),
  })
  .refine((settings) => settings.publishAheadMs < settings.rotateEveryMs, { message: 'publishAheadMs must be shorter than rotateEveryMs', path: ['publishAheadMs'] });

/** The key that signs now. */
export interface ActiveSigningKey {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateKey: CryptoKey;
}

/**
 * The signing keys: which one signs now, and the key set to publish (`/oauth/jwks`).
 *
 * @example
 * ```ts
 * const keys = new SigningKeys({ store: openSqliteKeyStore(file) });
 * const { kid, privateKey } = await keys.current();
 * reply.send(await keys.jwks());
 * ```
 */
export class SigningKeys {
  readonly #store: KeyStore;
  readonly #settings: z.infer<typeof settingsSchema>;
  readonly #now: () => number;
  readonly #imported = new Map<string, CryptoKey>();
  #maintaining: Promise<SigningKeyRecord[]> | undefined;
  // The last maintenance and until when it holds: nothing changes before the next key activates
  // or a replaced one retires, and another process's rotation is published ahead (publishAheadMs).
  // While it runs (until unknown), callers share it.
  #fresh: KeySnapshot | undefined;
  #refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(options: SigningKeysOptions) {
    const { rotateEveryMs, publishAheadMs, keepReplacedMs } = options;
    const parsed = settingsSchema.safeParse({ rotateEveryMs, publishAheadMs, keepReplacedMs });
    if (!parsed.success) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `Invalid signing key options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
    this.#settings = Object.freeze(parsed.data);
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The longest a token signed now may live and still verify to its end: a replaced key stays
   * published `keepReplacedMs` after the next one takes over, less five minutes of clock skew.
   */
  get longestTokenLifetimeMs(): number {
    return this.#settings.keepReplacedMs - 5 * 60_000;
  }

  /** The key that signs now (created, or rotated, when its time has come). */
  async current(): Promise<ActiveSigningKey> {
    const records = await this.#records();
    const active = activeOf(records, this.#now());
    if (active === undefined) throw new OAuthServerError('OAUTH_SERVER_STORE_FAILED', 'The key store holds no signing key after one was created.');
    return { kid: active.kid, alg: active.alg, privateKey: await this.#privateKey(active) };
  }

  /** The public halves of every published key: the one signing, the next one, and those replaced but not yet expired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return this.#snapshot().jwks;
  }

  /**
   * Forgets the cached key set (a verifier met a key id it did not know): the next call reads the
   * store. At most once every 10 s, so tokens with made-up key ids cannot make every request a read.
   */
  refresh(): void {
    const now = this.#now();
    if (this.#fresh?.until === undefined || now - this.#refreshedAt < 10_000) return;
    this.#refreshedAt = now;
    this.#fresh = undefined;
  }

  #records(): Promise<SigningKeyRecord[]> {
    return this.#snapshot().records;
  }

  // The records as of the last maintenance while it holds; a new maintenance after.
  #snapshot(): KeySnapshot {
    const now = this.#now();
    const fresh = this.#fresh;
    if (fresh !== undefined && (fresh.until === undefined || now < fresh.until)) return fresh;
    const records = this.#maintain();
    const snapshot: KeySnapshot = {
      records,
      jwks: records.then((list) => Object.freeze({ keys: list.map((record) => Object.freeze({ ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' })) })),
      until: undefined,
    };
    // Nobody may be left holding a rejected promise nobody awaits.
    snapshot.jwks.catch(() => undefined);
    this.#fresh = snapshot;
    records.then(
      (list) => {
        if (this.#fresh === snapshot) snapshot.until = this.#holdsUntil(list, now);
      },
      () => {
        // A failed maintenance is not kept: the next caller tries again.
        if (this.#fresh === snapshot) this.#fresh = undefined;
      },
    );
    return snapshot;
  }

  // When the next maintenance is due: a key activating or retiring, or (with no next key yet) the
  // rotation; at least a second away, so that a deadline already reached cannot make every call a read.
  #holdsUntil(records: readonly SigningKeyRecord[], now: number): number {
    const events = records.flatMap((record) => [record.activatesAt, record.retiresAt ?? Number.POSITIVE_INFINITY]).filter((at) => at > now);
    const active = activeOf(records, now);
    const nextKnown = records.some((record) => record.activatesAt > now);
    if (active !== undefined && !nextKnown) events.push(active.activatesAt + this.#settings.rotateEveryMs - this.#settings.publishAheadMs);
    return Math.max(now + 1_000, Math.min(now + MAX_CACHE_MS, ...events));
  }

  // One maintenance at a time: two callers must not both create the next key.
  #maintain(): Promise<SigningKeyRecord[]> {
    const run = (this.#maintaining ?? Promise.resolve([])).catch(() => []).then(() => this.#maintainNow());
    this.#maintaining = run;
    return run;
  }

  async #maintainNow(): Promise<SigningKeyRecord[]> {
    const now = this.#now();
    for (const record of await this.#store.list()) {
      if (record.retiresAt !== null && record.retiresAt <= now) await this.#store.remove(record.kid);
    }
    let records = await this.#store.list();
    const active = activeOf(records, now);
    // The first key signs at once: nobody can have cached a key set without it.
    if (active === undefined) await this.#store.add(await newKey(now, now));
    else if (!records.some((record) => record.activatesAt > now) && now >= active.activatesAt + this.#settings.rotateEveryMs - this.#settings.publishAheadMs) {
      await this.#store.add(await newKey(now, Math.max(active.activatesAt + this.#settings.rotateEveryMs, now + this.#settings.publishAheadMs)));
    }
    records = await this.#store.list();
    const signing = activeOf(records, now);
    for (const record of records) {
      if (signing !== undefined && record.activatesAt < signing.activatesAt && record.retiresAt === null) {
        await this.#store.retire(record.kid, signing.activatesAt + this.#settings.keepReplacedMs);
      }
    }
    return this.#store.list();
  }

  async #privateKey(record: SigningKeyRecord): Promise<CryptoKey> {
    const cached = this.#imported.get(record.kid);
    if (cached !== undefined) return cached;
    const key = (await importJWK(record.privateJwk, record.alg)) as CryptoKey;
    this.#imported.set(record.kid, key);
    return key;
  }
}

/** One maintenance's outcome, shared while it holds. */
interface KeySnapshot {
  readonly records: Promise<SigningKeyRecord[]>;
  readonly jwks: Promise<{ keys: JWK[] }>;
  /** Epoch ms; `undefined` while the maintenance runs. */
  until: number | undefined;
}

/** The key that signs at `now`: the latest to have activated. */
function activeOf(records: readonly SigningKeyRecord[], now: number): SigningKeyRecord | undefined {
  let active: SigningKeyRecord | undefined;
  for (const record of records) if (record.activatesAt <= now && (active === undefined || record.activatesAt >= active.activatesAt)) active = record;
  return active;
}

async function newKey(createdAt: number, activatesAt: number): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { kid: await calculateJwkThumbprint(publicJwk), alg: 'ES256', privateJwk: await exportJWK(privateKey), publicJwk, createdAt, activatesAt, retiresAt: null };
}
