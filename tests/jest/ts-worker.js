/**
 * Runs a worker thread's TypeScript entry under the tests (ts-jest compiles the tests, not a
 * worker's files): compiles each .ts file as it is required, with the tsconfig paths of the libs
 * (`@earmark/x`, `@earmark/event-store/<adapter>`), then loads the entry named in workerData.
 * jest.config.js names this file in EARMARK_TS_WORKER_LOADER; a built program never needs it.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
const ts = require('typescript');

const root = join(__dirname, '..', '..');
const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  sourceMap: false,
  inlineSourceMap: true,
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveLibAlias(request, ...rest) {
  const lib = /^@earmark\/([a-z-]+)(?:\/(sqlite|postgres|kurrentdb))?$/.exec(request);
  const resolved = lib ? join(root, 'libs', lib[1], 'src', lib[2] ?? '', 'index.ts') : request;
  return resolveFilename.call(this, resolved, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

require(workerData.sourceEntry);
