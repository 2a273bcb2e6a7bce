import type { UserConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

/**
 * The workspace's vitest config with `overrides` applied to its `test` section.
 *
 * @example
 * ```ts
 * export default projectConfig({ testTimeout: 60_000, hookTimeout: 30_000 });
 * ```
 */
export declare function projectConfig(overrides?: InlineConfig): UserConfig;
