import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { canAskTheUser } from '../src/tools/permission-bridge.js';

const server = new McpServer({ name: 'test', version: '1' });
const withCapabilities = (capabilities: unknown): ServerContext =>
  ({ mcpReq: { envelope: { 'io.modelcontextprotocol/clientCapabilities': capabilities } } }) as unknown as ServerContext;

describe('canAskTheUser', () => {
  it.each([
    [{ elicitation: { form: {} } }, true],
    [{ elicitation: {} }, true], // a bare elicitation capability means form
    [{ elicitation: { form: {}, url: {} } }, true],
    [{ elicitation: { url: {} } }, false], // the question is a form: a URL-only client cannot show it
    [{}, false],
  ])('for %j is %s', (capabilities, expected) => {
    expect(canAskTheUser(server, withCapabilities(capabilities))).toBe(expected);
  });
});
