// One declaration per CLI option: the data options of RunOptions and the schema that validates them
// must name the same keys, so a flag added to one and not the other fails `pnpm typecheck` here.
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';

import type { RunOptions } from '../src/index.js';
import type { runOptionsSchema } from '../src/options.js';

// The collaborators are passed as they are, never validated.
type DataOptions = Omit<RunOptions, 'canUseTool' | 'hooks' | 'checkVersion' | 'logger' | 'spawn'>;
type SchemaInput = z.input<typeof runOptionsSchema>;

describe('run options', () => {
  it('declare each data option once: RunOptions and the schema have the same keys', () => {
    expectTypeOf<keyof DataOptions>().toEqualTypeOf<keyof SchemaInput>();
  });

  it('accept what the schema accepts for every key', () => {
    expectTypeOf<SchemaInput>().toExtend<DataOptions>();
  });
});
