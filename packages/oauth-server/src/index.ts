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
export { registerAuthorizationServer } from './authorization-server.js';
export type { AuthorizationServer, AuthorizationServerOptions } from './authorization-server.js';
export type { OAuthClient } from './clients/oauth-client.js';
export { checkRedirectUris, redirectUriMatches } from './clients/redirect-uris.js';
export { clientMetadataDocuments } from './clients/client-metadata-documents.js';
export type { ClientMetadataDocuments, ClientMetadataDocumentsOptions } from './clients/client-metadata-documents.js';
export { createMemoryAuthorizationStore } from './store/memory-authorization-store.js';
export { openSqliteAuthorizationStore } from './store/sqlite-authorization-store.js';
export type {
  AuthorizationCodeRecord,
  AuthorizationStore,
  ConsentRecord,
  GrantRecord,
  InteractionRecord,
  RefreshTokenRecord,
  RegisteredClientRecord,
  UpstreamLoginRecord,
  UserRecord,
} from './store/authorization-store.js';
export { authenticateUser, ensureAdminUser } from './users/local-users.js';
export { hashPassword, verifyPassword } from './users/passwords.js';
export { loginThrottle } from './users/login-throttle.js';
export type { LoginThrottle, LoginThrottleOptions } from './users/login-throttle.js';
export { externalTokenVerifier } from './resource-server/external-issuer.js';
export type { ExternalIssuerOptions } from './resource-server/external-issuer.js';
export type { UpstreamSignInOptions } from './upstream/upstream-sign-in.js';
