// The public surface of the state store; re-exported by the package entry point.
export { MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { openStore } from './open-store.js';
export type { ClaudeToolsStore, CliProcessRecord, CompletedTurn, ListSessionsFilter, OpenStoreOptions } from './open-store.js';
export { SESSION_STATUSES } from './session-record.js';
export type { NewSessionRecord, SessionRecord, SessionStatus } from './session-record.js';
