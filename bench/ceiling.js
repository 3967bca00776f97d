'use strict';
/**
 * The ceiling: a bare Node http server answering every request with the same bytes (the app's list page 1,
 * captured in the same benchmark run). Usage: node bench/ceiling.js FILE. Prints `CEILING_PORT=N`.
 */
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');

const body = readFileSync(process.argv[2]);
const server = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`CEILING_PORT=${server.address().port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
