// Vite configuration: builds the inspector UI into ui/dist (served by switchboard at `/`);
// `npm run dev` proxies the inspector API to a running switchboard (SWITCHBOARD_URL).
import { defineConfig } from 'vitest/config';

const target = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:6001';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: {
      '/inspector/api/stream': { target: target.replace(/^http/, 'ws'), ws: true },
      '/inspector': { target, changeOrigin: false },
    },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
