/**
 * A stored checkpoint. Records are frozen.
 *
 * @example
 * ```ts
 * const line = (c: CheckpointRecord): string =>
 *   `${c.id} ${c.label ?? ''} ${new Date(c.createdAt).toISOString()} ${c.fileCount} files`;
 * ```
 */
export interface CheckpointRecord {
  /** `ckpt_` and 20 hex digits; see `CHECKPOINT_ID_PATTERN`. */
  readonly id: string;
  /** Free text given at creation, or `null`. */
  readonly label: string | null;
  /** Real path of the working directory. */
  readonly cwd: string;
  /** Claude Code session id at that moment, or `null`. */
  readonly sessionId: string | null;
  /** uuid of the session's last message at that moment (for `--resume-session-at`), or `null`. */
  readonly lastMessageId: string | null;
  /** The commit in the directory's shadow repository. */
  readonly commit: string;
  /** Files (and symbolic links) captured. */
  readonly fileCount: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Creation time, epoch ms. */
  readonly createdAt: number;
}
