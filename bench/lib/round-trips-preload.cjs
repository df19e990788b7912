// Loaded into each service by `npm run bench -- pipeline-open --round-trips` (NODE_OPTIONS=-r):
// counts the requests the process sends to PostgreSQL (each query of node-postgres) and to Kafka
// (each request of kafkajs and of @platformatic/kafka), by statement or API, and writes the counts
// to BENCH_ROUND_TRIPS_DIR every half second and at exit. A round trip costs a system call on
// each side and a context switch on a loaded machine whatever its content, so the counts per case
// say what the pipeline asks of the machine without the noise of timing (docs/performance.md).
'use strict';
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_ROUND_TRIPS_DIR;
const service = /services[\\/]([a-z]+)[\\/]src[\\/]main/.exec(process.argv[1] ?? '')?.[1];
if (dir && service) {
  const counts = {};
  const bump = (key) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const pg = require('pg');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    const text = typeof config === 'string' ? config : (config?.text ?? config?.name ?? '?');
    // Schema names differ per run: the statement without them.
    const plain = String(text).replace(/\s+/g, ' ').replace(/"[A-Za-z0-9_]+"\./g, '');
    // The start of the statement, and where a long one has it, the start of its first WHERE: two
    // reads of one select list (a stream's events, the global log) are counted apart.
    const where = plain.length > 100 ? plain.indexOf(' WHERE ', 100) : -1;
    bump(`pg ${plain.slice(0, 100)}${where >= 0 ? ` …${plain.slice(where, where + 60)}` : ''}`);
    return query.call(this, config, ...rest);
  };
  const Connection = require('kafkajs/src/network/connection.js');
  const send = Connection.prototype.send;
  Connection.prototype.send = function countedSend(request) {
    bump(`kafka ${request?.request?.apiName ?? '?'}`);
    return send.call(this, request);
  };
  // Required, not imported: an import() still loading when the service require()s the same ES
  // module makes that require fail (ERR_REQUIRE_ESM_RACE_CONDITION).
  const { Connection: PlatformaticConnection } = require('@platformatic/kafka');
  const platformaticSend = PlatformaticConnection.prototype.send;
  PlatformaticConnection.prototype.send = function countedPlatformaticSend(apiKey, ...rest) {
    bump(`kafka api ${apiKey} (@platformatic/kafka)`);
    return platformaticSend.call(this, apiKey, ...rest);
  };
  const file = join(dir, `${service}-${process.pid}.json`);
  const write = () => {
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(counts));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The benchmark's directory is gone: nothing to report to.
    }
  };
  setInterval(write, 500).unref();
  process.on('exit', write);
}
