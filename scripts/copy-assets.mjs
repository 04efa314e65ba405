// Build step after `tsc -p tsconfig.build.json`: copies the non-TypeScript files the code loads at run time
// (migrations' .sql, any .json/.yaml/.txt/.html/.hbs assets under src/, and .mjs such as the ingest worker's boot) into dist/, keeping their paths, and the
// operator console's browser files (src/api/console/assets/: ES modules, CSS, SVG; served as they are, not compiled).
// Root-level folders such as templates/ and rules/ are read from the package root and need no copy.
import { cp, readdir, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const ASSET = /\.(sql|json|ya?ml|txt|html|hbs|mjml|eml|mjs)$/i;
const CONSOLE_ASSETS = path.join(src, 'api', 'console', 'assets') + path.sep;
const isAsset = (full, name) => ASSET.test(name) || (full.startsWith(CONSOLE_ASSETS) && /\.(js|css|svg)$/i.test(name));

let copied = 0;
async function walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full);
    else if (isAsset(full, entry.name)) {
      const target = path.join(dist, path.relative(src, full));
      await mkdir(path.dirname(target), { recursive: true });
      await cp(full, target);
      copied += 1;
    }
  }
}
await walk(src);
console.log(`copy-assets: ${copied} file(s) copied to dist/`);
