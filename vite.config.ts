import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The renderer bundle, served by the desktop shell (app:// protocol) and by the browser-served host alike.
 * `base: './'` keeps asset URLs relative so both origins load the same files. JSX goes through esbuild's automatic
 * runtime, so no React plugin is needed (no fast refresh: the app is always run from a build).
 */
export default defineConfig({
  root: path.join(here, 'renderer'),
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(here, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // A strict CSP forbids inline scripts; keep even the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry /* @__PURE__ */ comments in places Rollup ignores: harmless noise on every build.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
