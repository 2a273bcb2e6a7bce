// Where the signing keys live: an interface any backend can implement, and the in-memory one.
import type { JWK } from 'jose';

/**
 * One signing key as stored: both halves (the private one never leaves the store and the signer),
 * when it starts signing, and when its public half stops being published.
 *
 * @example
 * ```ts
 * const record: SigningKeyRecord = { kid, alg: 'ES256', privateJwk, publicJwk, createdAt: now, activatesAt: now, retiresAt: null };
 * ```
 */
export interface SigningKeyRecord {
  /** The key id: the RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly createdAt: number;
  /** Signing starts then (epoch ms); it is published from `createdAt`. */
  readonly activatesAt: number;
  /** Set once a later key took over: published until then, then removed. */
  readonly retiresAt: number | null;
}

/**
 * The signing keys of an authorization server.
 *
 * @example
 * ```ts
 * const store: KeyStore = createMemoryKeyStore();
 * await store.add(record);
 * ```
 */
export interface KeyStore {
  /** Every key, oldest first. */
  list(): Promise<SigningKeyRecord[]>;
  add(record: SigningKeyRecord): Promise<void>;
  /** Sets when a key stops being published. */
  retire(kid: string, at: number): Promise<void>;
  remove(kid: string): Promise<void>;
}

/**
 * Keys in memory: for tests, and for a server that may forget its keys (every token it issued
 * stops verifying when it restarts).
 *
 * @example
 * ```ts
 * const keys = new SigningKeys({ store: createMemoryKeyStore() });
 * ```
 */
export function createMemoryKeyStore(): KeyStore {
  const records = new Map<string, SigningKeyRecord>();
  return {
    list: () => Promise.resolve([...records.values()].sort((a, b) => a.createdAt - b.createdAt)),
    add: (record) => {
      records.set(record.kid, Object.freeze({ ...record }));
      return Promise.resolve();
    },
    retire: (kid, at) => {
      const record = records.get(kid);
      if (record !== undefined) records.set(kid, Object.freeze({ ...record, retiresAt: at }));
      return Promise.resolve();
    },
    remove: (kid) => {
      records.delete(kid);
      return Promise.resolve();
    },
  };
}
