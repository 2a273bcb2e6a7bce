import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';

type JsonFunction = StandardSchemaWithJSON['~standard']['jsonSchema']['input'];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// 2020-12 is MCP's default dialect, and some clients reject any `$schema` they did not expect:
// the schemas are advertised without it (validation stays zod's). The conversion runs once per
// target: the SDK converts on every tools/list, and a schema never changes (a frozen copy is
// handed out, so nobody can change it for the next caller).
function dropDialectOnce(convert: JsonFunction): JsonFunction {
  const converted = new Map<string, Record<string, unknown>>();
  return (options) => {
    const key = JSON.stringify(options ?? null);
    let schema = converted.get(key);
    if (schema === undefined) {
      const { $schema: _dialect, ...rest } = convert(options);
      schema = deepFreeze(rest);
      converted.set(key, schema);
    }
    return schema;
  };
}

export function withoutDialect<S extends StandardSchemaWithJSON>(schema: S): S {
  const standard = schema['~standard'];
  return {
    ...schema,
    '~standard': { ...standard, jsonSchema: { input: dropDialectOnce(standard.jsonSchema.input), output: dropDialectOnce(standard.jsonSchema.output) } },
  };
}
