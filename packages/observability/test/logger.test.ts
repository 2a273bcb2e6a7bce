import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { pino } from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  LOG_LEVELS,
  ObservabilityError,
  createLogger,
  noopLogger,
  type LogDestination,
  type Logger,
} from '../src/index.js';

function memoryDestination(): LogDestination & { lines: () => Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  return {
    raw,
    write(line: string) {
      raw.push(line);
    },
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('createLogger', () => {
  it('writes one JSON line per call at or above the configured level', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'info', name: 'unit', destination });

    logger.trace('hidden trace');
    logger.debug({ detail: 1 }, 'hidden debug');
    logger.info({ sessionId: 'abc' }, 'session opened');
    logger.warn('careful');
    logger.error({ code: 'X' }, 'failed');

    expect(destination.raw.every((line) => line.endsWith('\n'))).toBe(true);
    const lines = destination.lines();
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'session opened'],
      [40, 'careful'],
      [50, 'failed'],
    ]);
    expect(lines[0]).toMatchObject({ name: 'unit', sessionId: 'abc' });
    expect(lines[2]).toMatchObject({ code: 'X' });
  });

  it('honours debug and trace levels, and silent writes nothing', () => {
    const verbose = memoryDestination();
    const traceLogger = createLogger({ level: 'trace', name: 'unit', destination: verbose });
    traceLogger.trace('t');
    traceLogger.debug('d');
    expect(verbose.lines().map((line) => line.level)).toEqual([10, 20]);

    const quiet = memoryDestination();
    const silent = createLogger({ level: 'silent', name: 'unit', destination: quiet });
    silent.error('never');
    expect(quiet.raw).toEqual([]);
  });

  it('adds child bindings to every line of the child only', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'info', name: 'unit', destination });
    const child = logger.child({ component: 'webhooks' });
    child.info('from child');
    logger.info('from parent');

    const [fromChild, fromParent] = destination.lines();
    expect(fromChild).toMatchObject({ component: 'webhooks', msg: 'from child', name: 'unit' });
    expect(fromParent).not.toHaveProperty('component');
  });

  it('serialises errors passed as err', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'info', name: 'unit', destination });
    logger.error({ err: new Error('boom', { cause: new Error('root') }) }, 'request failed');
    const [line] = destination.lines();
    // pino's err serializer appends the cause chain to the message and keeps the stack.
    expect(line?.err).toMatchObject({ type: 'Error', message: 'boom: root' });
    expect(line?.err).toHaveProperty('stack');
  });

  it.each([
    ['an unknown level', { level: 'loud', name: 'unit' }, /Invalid log level "loud"; use one of fatal, error/],
    ['an upper-case level', { level: 'INFO', name: 'unit' }, /Invalid log level "INFO"/],
    ['an empty name', { level: 'info', name: '  ' }, /name must be a non-empty string/],
    ['a destination without write', { level: 'info', name: 'unit', destination: {} }, /write\(line\) method/],
  ])('rejects %s with OBSERVABILITY_INVALID_OPTIONS', (_case, options, message) => {
    const error = catchError(() => createLogger(options as never));
    expect(ObservabilityError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OBSERVABILITY_INVALID_OPTIONS' });
    expect((error as Error).message).toMatch(message);
  });

  it('lists every pino level', () => {
    expect(LOG_LEVELS).toEqual(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
    expect(Object.isFrozen(LOG_LEVELS)).toBe(true);
  });
});

describe('noopLogger', () => {
  it('discards everything and returns itself from child()', () => {
    expect(noopLogger.info({ a: 1 }, 'x')).toBeUndefined();
    expect(noopLogger.error('x')).toBeUndefined();
    expect(noopLogger.child({ component: 'a' })).toBe(noopLogger);
    expect(Object.isFrozen(noopLogger)).toBe(true);
  });
});

describe('Logger interface', () => {
  it('is satisfied by a pino logger and by noopLogger', () => {
    const pinoLogger = pino({ level: 'silent' });
    expectTypeOf(pinoLogger).toExtend<Logger>();
    expectTypeOf(pinoLogger.child({ a: 1 })).toExtend<Logger>();
    expectTypeOf(noopLogger).toEqualTypeOf<Logger>();
    const asLogger: Logger = pinoLogger;
    expect(typeof asLogger.child).toBe('function');
  });
});

describe('the built logger in a child process', () => {
  const distEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

  it('writes to stderr (fd 2) and never to stdout', () => {
    expect(existsSync(distEntry), `${distEntry} is missing; run "pnpm build" first`).toBe(true);
    const script = `
      import { createLogger } from ${JSON.stringify(pathToFileURL(distEntry).href)};
      const logger = createLogger({ level: 'info', name: 'child-process' });
      logger.debug('not written');
      logger.info({ marker: 42 }, 'hello from the child');
      logger.child({ component: 'c' }).warn('from a child logger');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, name: 'child-process', marker: 42, msg: 'hello from the child' });
    expect(lines[1]).toMatchObject({ level: 40, component: 'c', msg: 'from a child logger' });
  });
});
