// The public surface of checkpoints; to be re-exported by the package entry point.
export {
  CHECKPOINT_ID_PATTERN,
  createCheckpointManager,
  DEFAULT_CHECKPOINT_MAX_BYTES,
  DEFAULT_CHECKPOINT_MAX_FILES,
  DEFAULT_MAX_DIFF_BYTES,
} from './checkpoint-manager.js';
export type {
  ChangedFile,
  CheckpointManager,
  CheckpointManagerOptions,
  CheckpointRecord,
  CompareCheckpointsOptions,
  CompareResult,
  CreateCheckpointInput,
  ListCheckpointsFilter,
  RestoreChanges,
  RestoreResult,
} from './checkpoint-manager.js';
