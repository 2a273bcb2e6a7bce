// A host's addresses, every one judged before a connection is made (the connection may use any of
// them), and a lookup that pins the connection to them (never to a second DNS answer: rebinding).
import { lookup as systemLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

import { addressKind } from './address-kind.js';
import { NetGuardError } from './errors.js';

/**
 * An address a connection may go to.
 *
 * @example
 * ```ts
 * const address: CheckedAddress = { address: '93.184.216.34', family: 4 };
 * ```
 */
export interface CheckedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * A DNS lookup answering every address of a name (injectable for tests).
 *
 * @example
 * ```ts
 * const lookup: HostLookup = async () => [{ address: '127.0.0.1', family: 4 }];
 * ```
 */
export type HostLookup = (hostname: string) => Promise<readonly { readonly address: string; readonly family?: number }[]>;

/**
 * Options of {@link checkedAddresses}.
 *
 * @example
 * ```ts
 * const options: CheckedAddressesOptions = { allowPrivateAddresses: true };
 * ```
 */
export interface CheckedAddressesOptions {
  /** Also allow loopback and private addresses (a receiver on this machine or network). Default: false. */
  readonly allowPrivateAddresses?: boolean;
  /** Default: node:dns/promises `lookup` with `{ all: true, verbatim: true }`. */
  readonly lookup?: HostLookup;
  readonly signal?: AbortSignal;
}

const defaultLookup: HostLookup = (hostname) => systemLookup(hostname, { all: true, verbatim: true });

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function resolve(host: string, options: CheckedAddressesOptions): Promise<readonly { readonly address: string }[]> {
  if (isIP(host) !== 0) return [{ address: host }];
  try {
    return await untilAborted((options.lookup ?? defaultLookup)(host), options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new NetGuardError('NET_GUARD_UNRESOLVED', `The host ${host} did not resolve.`, { host, cause: error });
  }
}

/**
 * Resolves `host` (a name, or an IP address without brackets) and checks every address: public
 * ones pass; loopback and private ones only with `allowPrivateAddresses`; reserved ones (link-local
 * and the cloud metadata service, multicast, documentation…) never. Connect with
 * {@link pinnedLookup} of the result.
 *
 * @throws {@link NetGuardError} `NET_GUARD_UNRESOLVED`, `NET_GUARD_NO_ADDRESS`, `NET_GUARD_NOT_AN_ADDRESS`, `NET_GUARD_BLOCKED`.
 *
 * @example
 * ```ts
 * const addresses = await checkedAddresses(url.hostname.replace(/^\[|\]$/g, ''), { allowPrivateAddresses: false });
 * https.request({ host: url.hostname, lookup: pinnedLookup(addresses), agent: false });
 * ```
 */
export async function checkedAddresses(host: string, options: CheckedAddressesOptions = {}): Promise<readonly CheckedAddress[]> {
  const found = await resolve(host, options);
  if (found.length === 0) throw new NetGuardError('NET_GUARD_NO_ADDRESS', `The host ${host} has no address.`, { host });
  return found.map(({ address }) => {
    const family = isIP(address);
    if (family === 0) throw new NetGuardError('NET_GUARD_NOT_AN_ADDRESS', `The host ${host} resolved to something that is not an IP address.`, { host, address });
    const kind = addressKind(address);
    if (kind === 'reserved' || (kind === 'private' && options.allowPrivateAddresses !== true)) {
      const what = kind === 'private' ? 'loopback or private' : 'reserved';
      throw new NetGuardError('NET_GUARD_BLOCKED', `The host ${host} has the ${what} address ${address}.`, { host, address, kind });
    }
    return { address, family: family as 4 | 6 };
  });
}

/**
 * A `lookup` for `http.request`/`https.request`/`net.connect` that answers only `addresses`.
 *
 * @example
 * ```ts
 * http.request({ host: 'hooks.example.com', lookup: pinnedLookup(await checkedAddresses('hooks.example.com')), agent: false });
 * ```
 */
export function pinnedLookup(addresses: readonly CheckedAddress[]): LookupFunction {
  if (addresses.length === 0) throw new TypeError('pinnedLookup needs at least one address');
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, addresses.map(({ address, family }) => ({ address, family })));
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}
