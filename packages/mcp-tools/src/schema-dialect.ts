import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';

// 2020-12 is MCP's default dialect, and some clients reject any `$schema` they did not expect:
// advertise the schemas without it (validation stays zod's).
export function withoutDialect<S extends StandardSchemaWithJSON>(schema: S): S {
  const standard = schema['~standard'];
  type JsonFunction = typeof standard.jsonSchema.input;
  const drop =
    (convert: JsonFunction): JsonFunction =>
    (options) => {
      const { $schema: _dialect, ...rest } = convert(options);
      return rest;
    };
  return {
    ...schema,
    '~standard': { ...standard, jsonSchema: { input: drop(standard.jsonSchema.input), output: drop(standard.jsonSchema.output) } },
  };
}
