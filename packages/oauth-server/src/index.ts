export { OAuthServerError } from './errors.js';
export type { OAuthServerErrorCode } from './errors.js';
export {
  OAUTH_ENDPOINT_PATHS,
  buildAuthorizationServerMetadata,
} from './authorization-server-metadata.js';
export type {
  AuthorizationServerMetadata,
  AuthorizationServerMetadataOptions,
  TokenEndpointAuthMethod,
} from './authorization-server-metadata.js';
export { buildProtectedResourceMetadata } from './protected-resource-metadata.js';
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataOptions,
} from './protected-resource-metadata.js';
export { createMemoryKeyStore } from './tokens/key-store.js';
export type { KeyStore, SigningKeyRecord } from './tokens/key-store.js';
export { openSqliteKeyStore } from './tokens/sqlite-key-store.js';
export { SigningKeys } from './tokens/signing-keys.js';
export type { ActiveSigningKey, SigningKeysOptions } from './tokens/signing-keys.js';
export { accessTokenVerifier, issueAccessToken } from './tokens/access-tokens.js';
export type { AccessTokenGrant, AccessTokenOptions, VerifiedAccessToken } from './tokens/access-tokens.js';
export { confidentialClients } from './clients/confidential-clients.js';
export type { ClientAuthentication, ConfidentialClient } from './clients/confidential-clients.js';
export { registerTokenEndpoint } from './endpoints/token-endpoint.js';
export type { TokenEndpointOptions } from './endpoints/token-endpoint.js';
