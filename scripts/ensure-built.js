'use strict';
// Builds what `npm start` serves when its output is missing or older than any of its sources:
// the TypeScript programs (dist/apps/cli, dist/apps/api) and the desk's front end (dist/dashboard).
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
/** The HTTP service: a program of its own, which the `earmark` command starts for `serve`. */
const serverEntry = join(root, 'dist', 'apps', 'api', 'src', 'main.js');
const dashboardSources = join(root, 'apps', 'dashboard');
const dashboardEntry = join(root, 'dist', 'dashboard', 'index.html');

function newestSource(dir, extensions, skip = null) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (path === skip) continue;
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path, extensions, skip));
    else if (extensions.some((extension) => item.name.endsWith(extension))) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(output, newestInput) {
  return !existsSync(output) || newestInput > statSync(output).mtimeMs;
}

function run(script) {
  process.stderr.write(`earmark: building (npm run ${script})...\n`);
  try {
    execFileSync('npm', ['run', '-s', script], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    process.stderr.write('earmark: the build failed (see the compiler output above)\n');
    process.exit(1);
  }
}

function ensureBuilt() {
  const service = Math.max(newestSource(join(root, 'apps'), ['.ts'], dashboardSources), newestSource(join(root, 'libs'), ['.ts']));
  if (isStale(entry, service) || !existsSync(serverEntry)) {
    run('build'); // builds the dashboard too
    // An incremental compile leaves unchanged outputs untouched: mark the entry as built now.
    const now = new Date();
    utimesSync(entry, now, now);
    return entry;
  }
  const dashboard = Math.max(
    newestSource(dashboardSources, ['.ts', '.tsx', '.mts', '.css', '.html', '.json']),
    statSync(join(root, 'package-lock.json')).mtimeMs,
  );
  if (isStale(dashboardEntry, dashboard)) run('build:dashboard');
  return entry;
}

module.exports = { ensureBuilt, root, serverEntry };
