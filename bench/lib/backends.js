'use strict';
/**
 * The data backends the benchmark can run on. Each `setup` returns the app's environment variables for it
 * and a `teardown` that removes everything it created. Servers are the machine's own on loopback
 * (docs/testing.md), overridable with --postgres-url / --mysql-url (admin connections, loopback only).
 */
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { assertLoopback, freePort, startNode, waitForLine, waitForOk, stop } = require('./processes');

const ROOT = join(__dirname, '..', '..');

function databaseName() {
  return `bookshelf_bench_${randomBytes(5).toString('hex')}`;
}

const backends = {
  async sqlite({ dataDir }) {
    return { env: { DATA_BACKEND: 'sql', SQL_URL: `sqlite:${join(dataDir, 'bookshelf.sqlite')}` }, teardown: async () => {} };
  },

  async postgres({ postgresUrl }) {
    assertLoopback(postgresUrl);
    const { Client } = require('pg');
    const name = databaseName();
    const admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATA_BACKEND: 'sql', SQL_URL: url.toString() },
      teardown: async () => {
        const client = new Client({ connectionString: postgresUrl });
        await client.connect();
        try {
          await client.query(`drop database if exists ${name} with (force)`);
        } finally {
          await client.end();
        }
      },
    };
  },

  async mysql({ mysqlUrl }) {
    assertLoopback(mysqlUrl);
    const mysql = require('mysql2/promise');
    const name = databaseName();
    const admin = await mysql.createConnection(mysqlUrl);
    try {
      await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_bin`);
    } finally {
      await admin.end();
    }
    const url = new URL(mysqlUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATA_BACKEND: 'sql', SQL_URL: url.toString() },
      teardown: async () => {
        const connection = await mysql.createConnection(mysqlUrl);
        try {
          await connection.query(`drop database if exists ${name}`);
        } finally {
          await connection.end();
        }
      },
    };
  },

  /**
   * A real MongoDB (`--mongodb-url`, a fresh database dropped afterwards), or else jongodb (docs/testing.md),
   * an in-memory MongoDB-compatible server started for this run: it shows that the backend works, but it is
   * an emulator and far slower than MongoDB, so its figures say nothing about the app.
   */
  async mongodb({ mongodbUrl }) {
    if (mongodbUrl) {
      assertLoopback(mongodbUrl.replace(/^mongodb(\+srv)?:/, 'http:'));
      const url = new URL(mongodbUrl);
      url.pathname = `/${databaseName()}`;
      return {
        env: { DATA_BACKEND: 'mongodb', MONGODB_URL: url.toString() },
        teardown: async () => {
          const mongoose = require('mongoose');
          const connection = await mongoose.createConnection(url.toString(), { serverSelectionTimeoutMS: 5000 }).asPromise();
          try {
            await connection.dropDatabase();
          } finally {
            await connection.close();
          }
        },
      };
    }
    const { spawn } = require('node:child_process');
    const bin = join(ROOT, 'node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb');
    const child = spawn(bin, ['--host=127.0.0.1', '--port=0', `--database=${databaseName()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (c) => (output = (output + c).slice(-8192)));
    const proc = { child, exited: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))), output: () => output };
    const [, url] = await waitForLine(proc, /JONGODB_URI=(\S+)/);
    return { env: { DATA_BACKEND: 'mongodb', MONGODB_URL: url }, teardown: async () => void (await stop(proc, 5000)), emulator: true };
  },

  /**
   * Google's legacy Datastore emulator (docs/testing.md), in memory, enforcing index.yaml as production does.
   * Like jongodb it shows that the backend works and what a page asks of it, but an emulator's speed says
   * nothing of Cloud Datastore's.
   */
  async datastore() {
    const { spawn } = require('node:child_process');
    const port = await freePort();
    const bin = '/usr/lib/google-cloud-sdk/platform/cloud-datastore-emulator/cloud_datastore_emulator';
    const options = ['--testing', '--firestore_in_datastore_mode', '--require_indexes', `--index_file=${join(ROOT, 'index.yaml')}`];
    const child = spawn(bin, ['start', '--host=127.0.0.1', `--port=${port}`, ...options], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (c) => (output = (output + c).slice(-8192));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    // A cold JVM: up to a minute.
    await waitForOk(`http://127.0.0.1:${port}/`, { child, output: () => output }, Date.now(), 60_000);
    const env = { DATA_BACKEND: 'datastore', DATASTORE_EMULATOR_HOST: `127.0.0.1:${port}`, GOOGLE_CLOUD_PROJECT: 'bookshelf-bench' };
    // The emulator's script starts Java as its child: end the whole process group.
    const teardown = async () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    };
    return { env, teardown, emulator: true };
  },
};

module.exports = { backends, startNode };
