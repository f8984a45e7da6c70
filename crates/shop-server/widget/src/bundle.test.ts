// The built script a shop embeds: small, built from these sources, and free of the APIs that
// turn text into markup or code.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types, shared with the build script
import { fingerprint } from '../scripts/sources.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = readFileSync(join(root, '../static/widget.js'));

/** The size budget: what a shop's visitors download for the chat. */
const BUDGET_GZIP_BYTES = 30 * 1024;

describe('static/widget.js', () => {
  it(`is at most ${BUDGET_GZIP_BYTES / 1024} kB gzipped`, () => {
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    console.log(
      `widget.js: ${bundle.length} bytes, ${gzipped} gzipped (budget ${BUDGET_GZIP_BYTES})`,
    );
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it('was built from the sources here (the fingerprint build.rs checks)', () => {
    const recorded = readFileSync(join(root, '../static/widget.sources'), 'utf8').trim();
    expect(recorded).toBe(`fnv1a64 ${fingerprint(root)}`);
  });

  it('never parses markup or code from strings', () => {
    const text = bundle.toString('utf8');
    for (const banned of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'new Function',
    ]) {
      expect(text.includes(banned), banned).toBe(false);
    }
  });
});
