/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Two pages, one asset folder:
//   dist/index.html  -> served at /console/ (the console, a single-page app)
//   dist/kiosk.html  -> served at /kiosk/   (the public job terminal)
//   dist/assets/*    -> served at /console/assets/ (content-hashed; shared by both pages)
// The api binary embeds dist/, so nothing here may load from the internet and no <script> may be
// inline (the server sends Content-Security-Policy `script-src 'self'`).
export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No data: URIs from our own assets: every asset is a file under /console/assets/.
    assetsInlineLimit: 0,
    // Only needed by very old browsers; keeps the entry chunks free of polyfill code.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        kiosk: fileURLToPath(new URL('./kiosk.html', import.meta.url)),
      },
      output: {
        // The Vue runtime and the API client are shared by both pages: one named chunk for them.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue[\\/]|vue[\\/]|openapi-fetch[\\/])/ },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a local `cargo run -p api` (default 127.0.0.1:8080;
    // ANJU_API=http://127.0.0.1:PORT for another).
    proxy: { '/api': process.env.ANJU_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
  },
});
