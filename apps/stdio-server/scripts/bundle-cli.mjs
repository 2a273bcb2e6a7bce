// Bundles the server behind the bin (dist/main.js, loaded by dist/cli.js): MCP clients start the
// server for every session, and resolving and loading a few hundred modules from node_modules costs
// more than the server's own start-up. With code splitting, what the server imports on first use
// (the subagent catalogue with its YAML parser, the plugin CLI wrapper, the checkpoint engine, metrics
// and webhooks) lands in dist/chunks/ and
// is read only when a tool needs it. dist/cli.js turns the compile cache on before it loads
// dist/main.js, so the chunks are cached as well. The library entry (dist/index.js) and the
// launcher stay as tsc emitted them.
import { rm } from 'node:fs/promises';

import { build } from 'esbuild';

const ENTRY = 'dist/main.js';
// What must stay out of the start-up graph (mcp-tools imports it with import()). One static import,
// even a package-entry re-export the server never uses (esbuild's splitting follows those:
// evanw/esbuild#3704), would put it back in a chunk dist/main.js imports, so that fails the build.
// Metrics and webhooks (prom-client, the outbox, delivery) load only when they are configured.
const LAZY_INPUT = new RegExp(
  [
    String.raw`/mcp-tools/dist/(?:agents|plugins)/`,
    String.raw`/mcp-tools/dist/checkpoints/(?:checkpoints|git|shadow-repo|tree-diff)\.js$`,
    String.raw`/node_modules/yaml/`,
    String.raw`/node_modules/prom-client/`,
    String.raw`/observability/dist/(?:server-metrics|metrics-registry|metrics-listener)\.js$`,
    String.raw`/webhooks/dist/(?:delivery|outbox)/`,
    String.raw`/server-config/dist/(?:server-operations|server-webhooks|webhooks-command)\.js$`,
  ].join('|'),
);

/** Every input file of `output` and of the chunks it imports statically. */
function startupInputs(outputs, output, seen = new Set()) {
  if (seen.has(output)) return [];
  seen.add(output);
  const chunks = outputs[output].imports.filter((entry) => entry.kind === 'import-statement' && !entry.external);
  return [...Object.keys(outputs[output].inputs), ...chunks.flatMap((chunk) => startupInputs(outputs, chunk.path, seen))];
}

// Chunk names carry a content hash: clear the last build's so they do not pile up in the package.
await rm('dist/chunks', { recursive: true, force: true });

const { metafile } = await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Some bundled CommonJS dependencies call require(); give every ESM output file one.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  metafile: true,
  legalComments: 'linked',
  sourcemap: true,
  logLevel: 'warning',
});

const eager = startupInputs(metafile.outputs, ENTRY).filter((input) => LAZY_INPUT.test(input));
if (eager.length > 0) throw new Error(`${ENTRY} loads at start-up what should load on first use:\n${eager.join('\n')}`);
