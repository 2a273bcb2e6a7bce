const brand = Symbol.for('@claude-code-mcp/server-config:ConfigError');

/**
 * Thrown by {@link parseConfig} when the environment is not usable. `problems` holds one readable
 * line per problem (`NAME: what is wrong (got "x"); how to fix`) and the message lists them all,
 * so the caller can print it to stderr and exit 1.
 *
 * @example
 * ```ts
 * try {
 *   config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * } catch (error) {
 *   if (!ConfigError.isInstance(error)) throw error;
 *   process.stderr.write(`${error.message}\n`);
 *   process.exit(1);
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Always `SERVER_CONFIG_INVALID`. */
  readonly code = 'SERVER_CONFIG_INVALID' as const;
  /** One line per problem, in the order the variables are documented. */
  readonly problems: readonly string[];

  /**
   * @param problems - one readable line per problem; at least one.
   * @param options - `cause`, when another error led to this one.
   */
  constructor(problems: readonly string[], options?: ErrorOptions) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`Invalid configuration (${count}):\n${problems.map((line) => `  - ${line}`).join('\n')}`, options);
    this.name = new.target.name;
    this.problems = Object.freeze([...problems]);
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any `ConfigError` of this app, including one from another installed copy.
   *
   * @example
   * ```ts
   * if (ConfigError.isInstance(error)) for (const line of error.problems) console.error(line);
   * ```
   */
  static isInstance(value: unknown): value is ConfigError {
    return typeof value === 'object' && value != null && brand in value;
  }
}
