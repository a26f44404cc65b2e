'use strict';
// `npm start`: build if needed, then serve on EARMARK_PORT (3000) with the store in EARMARK_DATA_DIR (./data).
const { ensureBuilt, serverEntry } = require('./ensure-built');
ensureBuilt();
require(serverEntry).main();
