'use strict';
// Runs the HTTP suite against PostgreSQL: tests/support/test-app.ts reads this.
process.env.EARMARK_TEST_STORE = 'postgres';
