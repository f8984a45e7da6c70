// The fingerprint of everything the built bundle is made from. shop-server's build.rs computes
// the same fingerprint and refuses to compile when it differs from the one the last build
// wrote (`../static/widget.sources`), so a server can't ship a bundle older than its sources.
// FNV-1a 64 over `path NUL contents NUL` per file in path order, line endings as LF: it
// detects change, it is not a security hash.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The files that make the bundle: src/ (tests excluded), the lockfile, the build settings. */
export function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.test.ts'))
        files.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, 'src'));
  files.push('package-lock.json', 'scripts/build.js', 'tsconfig.json');
  return files.sort();
}

export function fingerprint(root) {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let hash = 0xcbf29ce484222325n;
  const feed = (bytes) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  };
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8').replace(/\r\n/g, '\n');
    feed(Buffer.from(file, 'utf8'));
    feed([0]);
    feed(Buffer.from(text, 'utf8'));
    feed([0]);
  }
  return hash.toString(16).padStart(16, '0');
}
