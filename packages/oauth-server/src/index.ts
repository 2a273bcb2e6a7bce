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
