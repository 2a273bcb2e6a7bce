// Bundles the server behind the bin (dist/main.js, loaded by dist/cli.js) into one file: MCP
// clients start the server for every session, and resolving and loading a few hundred modules from
// node_modules costs more than the server's own start-up. The library entry (dist/index.js) and
// the small launcher (dist/cli.js) stay as tsc emitted them.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  legalComments: 'linked',
  sourcemap: true,
  logLevel: 'warning',
});
