// The suite's fixture resources: static text and binary, a template, and one to subscribe to.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';

import { PNG_BASE64 } from './fixture-content.js';

function registerStatic(server: McpServer): void {
  const staticText = 'test://static-text';
  server.registerResource('static-text', staticText, { description: 'Conformance fixture: static text', mimeType: 'text/plain' }, () => ({
    contents: [{ uri: staticText, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }));
  const staticBinary = 'test://static-binary';
  server.registerResource('static-binary', staticBinary, { description: 'Conformance fixture: a PNG', mimeType: 'image/png' }, () => ({
    contents: [{ uri: staticBinary, mimeType: 'image/png', blob: PNG_BASE64 }],
  }));
  const watched = 'test://watched-resource';
  server.registerResource('watched-resource', watched, { description: 'Conformance fixture: to subscribe to', mimeType: 'text/plain' }, () => ({
    contents: [{ uri: watched, mimeType: 'text/plain', text: 'Watched resource content' }],
  }));
}

function registerTemplate(server: McpServer): void {
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'Conformance fixture: a template with an id', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${String(id)}` }) }],
    }),
  );
}

/** Declares `resources.subscribe` and accepts (un)subscriptions: the fixtures never change. */
function acceptSubscriptions(server: McpServer): void {
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler('resources/subscribe', () => ({}));
  server.server.setRequestHandler('resources/unsubscribe', () => ({}));
}

/** Registers the fixture resources on `server`. */
export function registerFixtureResources(server: McpServer): void {
  registerStatic(server);
  registerTemplate(server);
  acceptSubscriptions(server);
}
