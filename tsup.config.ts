import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // p-limit ships ESM only; bundling it keeps the CJS build loadable with require().
    noExternal: ['p-limit'],
    // Gives the CJS build a real import.meta.url (no empty-import-meta warning, and the sandbox finds its entry).
    shims: true,
  },
  {
    // The `tsdspy` command: ESM only, run by node through the package's bin.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    noExternal: ['p-limit'],
    // Commands load the library through the package (dist/index.js), the same instance user modules import.
    external: ['tsdspy'],
  },
]);
