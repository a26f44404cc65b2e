#!/usr/bin/env node
'use strict';
// The `earmark` command: builds the project if needed, then runs the CLI.
const { ensureBuilt } = require('../scripts/ensure-built');
require(ensureBuilt()).runCli(process.argv.slice(2));
