/** The `tasks` table (migration 2): one row per background run. */
export const TASKS_MIGRATION_SQL = `
  CREATE TABLE tasks (
    id              TEXT    NOT NULL PRIMARY KEY,
    status          TEXT    NOT NULL,
    prompt          TEXT    NOT NULL,
    cwd             TEXT    NOT NULL,
    request_json    TEXT    NOT NULL,
    session_id      TEXT,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    result          TEXT,
    structured_json TEXT,
    cost_usd        REAL    NOT NULL DEFAULT 0,
    num_turns       INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    pid             INTEGER,
    owner_pid       INTEGER NOT NULL,
    log_path        TEXT    NOT NULL,
    restarted_from  TEXT
  ) STRICT;
  CREATE INDEX tasks_by_status ON tasks (status, created_at DESC);
`;
