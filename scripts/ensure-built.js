'use strict';
// Builds the TypeScript sources when the compiled output is missing or older than any source.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
/** The HTTP service: a program of its own, which the `earmark` command starts for `serve`. */
const serverEntry = join(root, 'dist', 'apps', 'api', 'src', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stale =
    !existsSync(entry) ||
    !existsSync(serverEntry) ||
    Math.max(newestSource(join(root, 'apps')), newestSource(join(root, 'libs'))) > statSync(entry).mtimeMs;
  if (!stale) return entry;
  process.stderr.write('earmark: building (npm run build)...\n');
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    process.stderr.write('earmark: the build failed (see the compiler output above)\n');
    process.exit(1);
  }
  return entry;
}

module.exports = { ensureBuilt, root, serverEntry };
