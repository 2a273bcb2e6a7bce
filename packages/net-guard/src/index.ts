export { addressKind } from './address-kind.js';
export { checkedAddresses, pinnedLookup } from './checked-addresses.js';
export type { CheckedAddress, CheckedAddressesOptions, HostLookup } from './checked-addresses.js';
export { NetGuardError } from './errors.js';
export type { NetGuardErrorCode } from './errors.js';
