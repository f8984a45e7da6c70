// Builds the two scripts shop-server serves into ../static/: widget.js (what a shop embeds:
// one classic script, its CSS inside) and store.js (the reference storefront page), plus the
// sources fingerprint build.rs checks. `--check` builds into a temporary folder and fails when
// the committed files differ from a fresh build.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { fingerprint } from './sources.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const staticDir = join(root, '..', 'static');
const check = process.argv.includes('--check');
const outDir = check ? mkdtempSync(join(tmpdir(), 'widget-')) : staticDir;

const bundles = [
  { entry: 'src/embed.ts', file: 'widget.js', name: 'NordlysChatWidget' },
  { entry: 'src/storefront.ts', file: 'store.js', name: 'NordlysStorefront' },
];
for (const bundle of bundles) {
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      lib: {
        entry: join(root, bundle.entry),
        formats: ['iife'],
        name: bundle.name,
        fileName: () => bundle.file,
      },
    },
  });
}
writeFileSync(join(outDir, 'widget.sources'), `fnv1a64 ${fingerprint(root)}\n`);

if (check) {
  const stale = [...bundles.map((b) => b.file), 'widget.sources'].filter((file) => {
    const fresh = readFileSync(join(outDir, file), 'utf8');
    let committed = '';
    try {
      committed = readFileSync(join(staticDir, file), 'utf8');
    } catch {
      // missing counts as stale
    }
    return fresh !== committed;
  });
  rmSync(outDir, { recursive: true, force: true });
  if (stale.length) {
    console.error(
      `stale in crates/shop-server/static: ${stale.join(', ')}; run \`make widget\` and commit them`,
    );
    process.exit(1);
  }
  console.log('the committed widget bundle matches its sources');
}
