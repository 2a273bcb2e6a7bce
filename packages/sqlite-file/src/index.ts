export { createOwnerOnlyFile, openSqliteFile, switchToWal } from './open-sqlite-file.js';
export type { OpenSqliteFileOptions } from './open-sqlite-file.js';
