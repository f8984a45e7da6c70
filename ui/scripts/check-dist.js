// Checks the built UI against the shell's content security policy (`default-src 'self'`, no
// inline scripts, no eval) before anyone finds out in a packaged app: every script and style
// is a file, no data: URIs, and nothing is loaded from another host. Run after `vite build`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const dist = join(import.meta.dirname, '..', 'dist');

/** Absolute URLs that are names, not loads: XML namespaces, and Svelte's error-code links. */
const ALLOWED_URLS = [
  /^http:\/\/www\.w3\.org\/(1999\/xhtml|2000\/svg|1998\/Math\/MathML|1999\/xlink|XML\/1998\/namespace|2000\/xmlns\/?)$/,
  /^https:\/\/svelte\.dev\/e\/[a-z_]+$/,
];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const problems = [];
const all = files(dist);

for (const file of all) {
  const name = relative(dist, file);
  if (!/\.(html|js|css)$/.test(name)) continue;
  const text = readFileSync(file, 'utf8');

  for (const [url] of text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)<>]*/gi)) {
    if (!url.startsWith('http')) continue; // `//` in minified code, comments and regexes
    if (!ALLOWED_URLS.some((allowed) => allowed.test(url))) {
      problems.push(`${name}: external URL ${url}`);
    }
  }
  if (/data:(image|font|application)\//.test(text)) problems.push(`${name}: data: URI`);

  if (name.endsWith('.html')) {
    for (const [tag] of text.matchAll(/<script\b[^>]*>/gi)) {
      if (!/\bsrc=/.test(tag)) problems.push(`${name}: inline <script>`);
      else if (!/\bsrc="\.\//.test(tag)) problems.push(`${name}: script not relative: ${tag}`);
    }
    if (/<style\b/i.test(text)) problems.push(`${name}: inline <style>`);
    if (/\son[a-z]+=/i.test(text)) problems.push(`${name}: inline event handler`);
    for (const [tag] of text.matchAll(/<link\b[^>]*>/gi)) {
      if (/\bhref="(?!\.\/)/.test(tag)) problems.push(`${name}: link not relative: ${tag}`);
    }
  }
  if (name.endsWith('.js')) {
    if (/\beval\(/.test(text)) problems.push(`${name}: eval(`);
    if (/\bnew Function\(/.test(text)) problems.push(`${name}: new Function(`);
  }
}

if (!all.some((f) => f.endsWith('index.html'))) problems.push('dist/index.html is missing');

if (problems.length > 0) {
  console.error(
    `check-dist: ${problems.length} problem(s) with the CSP:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`check-dist: ${all.length} files, nothing the CSP would refuse`);
