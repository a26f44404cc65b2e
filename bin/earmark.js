#!/usr/bin/env node
'use strict';
// The `earmark` command: builds the project if needed, then runs the service for `serve` and the
// CLI for everything else. The two are separate programs (apps/api, apps/cli); only this launcher
// knows both.
const { ensureBuilt, serverEntry } = require('../scripts/ensure-built');
const argv = process.argv.slice(2);
const cli = ensureBuilt();
if (argv[0] === 'serve') require(serverEntry).main();
else require(cli).runCli(argv);
