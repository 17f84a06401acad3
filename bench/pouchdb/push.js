// The PouchDB baseline of `relais-bench --pouchdb`: the same documents as Relais's reports,
// written one by one into a local PouchDB, then replicated to a pouchdb-server on 127.0.0.1.
//
// Usage (relais-bench runs it; NODE_PATH points at the node_modules it installed):
//   node push.js --docs DOCS.ndjson --work DIR [--photos DIR]
//
// - DOCS.ndjson: one document per line ({_id, category, lat, lon, accuracy, text, created_at}).
// - --photos DIR: document i (from 0) gets DIR/i.jpg as the attachment `photo.jpg`.
// - DIR: a fresh directory for the local database, the server's databases, config and log.
//
// The local database uses the leveldb adapter (PouchDB's default on Node, what an app keeps on
// disk); leveldown writes without fsync. pouchdb-server runs as a child process (another Node
// process, as relais-server is another process) with its default leveldb storage, which does
// not fsync either, and its log level lowered to warnings (relais-server runs with
// RUST_LOG=warn).
//
// Timed, in this order: `queue` (every local put, one after the other, each awaited, reading
// the photo file if any), `push` (local -> remote replication to completion) and `pull` (remote
// -> local replication to completion, as Relais pulls its reports back). Prints one JSON line.

'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const PouchDB = require('pouchdb');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    if (!['--docs', '--work', '--photos'].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`usage: push.js --docs DOCS.ndjson --work DIR [--photos DIR] (at ${key})`);
    }
    args[key.slice(2)] = argv[i + 1];
  }
  if (!args.docs || !args.work) {
    throw new Error('usage: push.js --docs DOCS.ndjson --work DIR [--photos DIR]');
  }
  return args;
}

/** A free TCP port of 127.0.0.1 (closed again before the server binds it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts pouchdb-server in `dir` and resolves with its URL once it answers. */
async function startServer(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(
    config,
    JSON.stringify({ log: { file: path.join(dir, 'log.txt'), level: 'warning' } }),
  );
  const port = await freePort();
  const bin = require.resolve('pouchdb-server/bin/pouchdb-server');
  const child = spawn(
    process.execPath,
    [bin, '--host', '127.0.0.1', '--port', String(port), '--dir', path.join(dir, 'data'),
      '--config', config, '--no-stdout-logs'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal || code; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited !== null) throw new Error(`pouchdb-server exited (${exited})`);
    try {
      const response = await fetch(`${url}/`);
      if (response.ok) return { url, child };
    } catch (_) {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('pouchdb-server did not answer within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const docs = fs.readFileSync(args.docs, 'utf8').split('\n').filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
  const docBytes = docs.reduce((sum, d) => sum + Buffer.byteLength(JSON.stringify(d)), 0);
  fs.mkdirSync(args.work, { recursive: true });

  const server = await startServer(path.join(args.work, 'server'));
  try {
    const local = new PouchDB(path.join(args.work, 'local'));
    const remote = new PouchDB(`${server.url}/bench`);
    await remote.info(); // creates the remote database before the clock starts

    let photoBytes = 0;
    let started = process.hrtime.bigint();
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      if (args.photos) {
        const data = fs.readFileSync(path.join(args.photos, `${i}.jpg`));
        photoBytes += data.length;
        doc._attachments = { 'photo.jpg': { content_type: 'image/jpeg', data } };
      }
      await local.put(doc);
    }
    const queue = process.hrtime.bigint() - started;

    started = process.hrtime.bigint();
    const pushed = await local.replicate.to(remote);
    const push = process.hrtime.bigint() - started;

    started = process.hrtime.bigint();
    const pulled = await local.replicate.from(remote);
    const pull = process.hrtime.bigint() - started;

    const remoteInfo = await remote.info();
    const localInfo = await local.info();
    if (!pushed.ok || pushed.docs_written !== docs.length || remoteInfo.doc_count !== docs.length) {
      throw new Error(`replication incomplete: ${JSON.stringify({ pushed, remoteInfo })}`);
    }
    const seconds = (ns) => Number(ns) / 1e9;
    console.log(JSON.stringify({
      docs: docs.length,
      doc_bytes: docBytes / docs.length,
      photo_bytes: photoBytes,
      queue_s: seconds(queue),
      push_s: seconds(push),
      pull_s: seconds(pull),
      pushed_docs: pushed.docs_written,
      pulled_docs: pulled.docs_written,
      remote_docs: remoteInfo.doc_count,
      adapter: localInfo.adapter,
      pouchdb: require('pouchdb/package.json').version,
      pouchdb_server: require('pouchdb-server/package.json').version,
      node: process.version,
    }));
    await local.close();
    await remote.close();
  } finally {
    server.child.kill();
  }
}

main().catch((error) => {
  console.error(`push.js: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
