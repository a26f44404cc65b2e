/**
 * Runs a worker thread's TypeScript entry under the tests (ts-jest compiles the tests, not a
 * worker's files): compiles each .ts file as it is required, with the compiler options and the
 * paths of the libs (`@earmark/x`, `@earmark/event-store/<adapter>`) read from tsconfig.jest.json,
 * then loads the entry named in workerData.
 * jest.config.js names this file in EARMARK_TS_WORKER_LOADER; a built program never needs it.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
const ts = require('typescript');

const root = join(__dirname, '..', '..');
// The tests' own compiler options and path mapping (tsconfig.jest.json, which extends
// tsconfig.json), so that the worker's files compile as ts-jest compiles the tests.
const configFile = join(root, 'tsconfig.jest.json');
const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile);
const compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true, incremental: false, tsBuildInfoFile: undefined };
const paths = Object.entries(parsed.options.paths ?? {}).map(([alias, [target]]) => [alias, join(root, target)]);
const aliases = new Map(paths);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveLibAlias(request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

require(workerData.sourceEntry);
