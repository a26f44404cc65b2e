'use strict';
/**
 * Jest cannot require() files of "type": "module" packages (Node 20 can). Nest 12 and a few of the
 * service's dependencies ship only as ES modules, so tests run against CommonJS copies of every
 * ES-module package the service depends on, compiled once per installed set into
 * node_modules/.cache. The service itself runs the real packages.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..', '..');

/** The ES-module packages reachable from the service's runtime dependencies: name → folder. */
function esmPackages() {
  const found = new Map();
  const seen = new Set();
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift();
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const deps = { ...(pkg.dependencies || {}), ...(dir === root ? {} : pkg.optionalDependencies || {}) };
    for (const name of Object.keys(deps)) {
      const depDir = resolvePackageDir(name, dir);
      if (!depDir || seen.has(depDir)) continue;
      seen.add(depDir);
      const depPkg = JSON.parse(fs.readFileSync(path.join(depDir, 'package.json'), 'utf8'));
      if (depPkg.type === 'module' && !found.has(name)) found.set(name, depDir);
      queue.push(depDir);
    }
  }
  return found;
}

/** Node's lookup of a package folder: node_modules of the folder and of each one above it. */
function resolvePackageDir(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const packages = esmPackages();
const mirrorRoot = path.join(root, 'node_modules', '.cache', 'earmark-nest-cjs');

function versions() {
  return [...packages.entries()]
    .map(([name, dir]) => `${name}@${JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version}`)
    .sort()
    .join(',');
}

function mirrorDir() {
  const stamp = createHash('sha256').update(`${versions()}|${ts.version}|3`).digest('hex').slice(0, 12);
  return path.join(mirrorRoot, stamp);
}

function compile(source, file) {
  // CommonJS has its own require and __filename: drop the ESM shims that recreate them.
  const replaced = source
    .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
    .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href");
  return ts.transpileModule(replaced, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, esModuleInterop: true },
  }).outputText;
}

function copyPackage(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      copyPackage(source, target);
    } else if (entry.name === 'package.json') {
      const pkg = JSON.parse(fs.readFileSync(source, 'utf8'));
      delete pkg.type;
      delete pkg.exports;
      fs.writeFileSync(target, JSON.stringify(pkg));
    } else if (entry.name.endsWith('.js') || entry.name.endsWith('.mjs')) {
      fs.writeFileSync(target.replace(/\.mjs$/, '.js'), compile(fs.readFileSync(source, 'utf8'), source));
    } else {
      fs.copyFileSync(source, target);
    }
  }
}

/** Builds the mirror if this install has none; returns its folder. */
function ensureMirror() {
  const dir = mirrorDir();
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  const building = `${dir}.building-${process.pid}`;
  for (const [name, dir] of packages) copyPackage(dir, path.join(building, name));
  fs.writeFileSync(path.join(building, '.complete'), versions());
  try {
    fs.renameSync(building, dir);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/** moduleNameMapper entries sending each ES-module package, and its subpaths, to its copy. */
function mirrorModuleNameMapper() {
  const dir = ensureMirror();
  const mapper = {};
  for (const name of packages.keys()) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    mapper[`^${escaped}$`] = path.join(dir, name);
    mapper[`^${escaped}/(.*)$`] = `${path.join(dir, name)}/$1`;
  }
  return mapper;
}

module.exports = { ensureMirror, mirrorModuleNameMapper, packages };
