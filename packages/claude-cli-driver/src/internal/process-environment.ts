/**
 * The environment a spawned CLI inherits by default. This is the one place the driver touches
 * `process.env`: not to read configuration, but because a child process normally inherits its
 * parent's environment (`PATH`, `HOME`, credentials). Callers can opt out with `inheritEnv: false`.
 */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
