import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * `npm run build` (electron-vite build) writes:
 *   out/main/index.js      the main process (ESM; dependencies stay in node_modules)
 *   out/preload/index.cjs  the preload: ONE CommonJS file with everything inlined,
 *                          because a sandboxed preload can only `require('electron')`
 *   out/renderer/          the React app, served over app:// (Electron) or by web mode
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: resolve('src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Bundle zod and the contract into the file: the sandbox has no module loader.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-main/electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
