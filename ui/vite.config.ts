// Builds the UI the Tauri shell serves from ui/dist, and runs its unit tests.
//
// The shell's content security policy is strict (`default-src 'self'`, no inline scripts, no
// eval), so the build must stay inside it: relative asset URLs, nothing inlined as a data: URI,
// no module-preload polyfill, nothing fetched from another host. scripts/check-dist.js checks
// the output after every build.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: {
    // The port Tauri's dev configuration points at; fail rather than move to another one.
    port: 1420,
    strictPort: true,
    // Tests read the Rust protocol crate (`?raw`) to check the UI's copies of its rules and
    // topic names against it; the dev server has no reason to reach outside ui/.
    fs: { allow: mode === 'test' ? ['.', '../crates/inbox-protocol/src'] : ['.'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebView2 on Windows is Chromium; WKWebView and WebKitGTK follow Safari.
    target: ['es2022', 'chrome105', 'safari15'],
    // A data: URI would need `img-src data:` or `font-src data:` in the CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
}));
