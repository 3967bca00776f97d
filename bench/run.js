'use strict';
/**
 * Bookshelf benchmark: `npm run bench -- [options]` (builds first). See `--help` and the README.
 *
 * Seeds a realistic data set through the BooksRepository port, starts the compiled app as production
 * would (NODE_ENV=production, view cache, JSON request logs to a file), signs users in through a separate
 * OpenID provider process acting as Google, and drives the app with autocannon from this process. Also
 * serves the very bytes of list page 1 from a bare Node http server (the ceiling) and measures it the
 * same way. Prints a table with the targets beside each figure and writes it as JSON to bench/results/.
 * Reports; never fails on a missed target. Loopback only, bounded in count and time.
 */
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync, cpSync } = require('node:fs');
const { cpus, loadavg, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { backends } = require('./lib/backends');
const dataset = require('./lib/dataset');
const { measure, commonHeaders } = require('./lib/load');
const {
  assertLoopback,
  cpuSeconds,
  freePort,
  memory,
  openFds,
  round,
  startNode,
  stop,
  waitForLine,
  waitForOk,
} = require('./lib/processes');
const { WebClient } = require('./lib/web-client');

let ROOT = join(__dirname, '..');
let DIST = join(ROOT, 'dist');
const RESULTS = join(__dirname, 'results');

const HELP = `npm run bench -- [options]

  --backend sqlite|postgres|mysql|mongodb|datastore
                                            data backend (default sqlite; datastore runs Google's emulator)
  --sessions auto|redis                     session store (default auto: the data backend's)
  --books N --users N --covers SHARE        data set (default 100000, 1000, 0.1)
  --duration S                              seconds per measurement (default 10)
  --warmup S                                seconds of unmeasured load of each scenario, before any is measured (default 3)
  --connections LIST                        (default 10,50)
  --scenarios LIST                          list,deep,book,listSignedIn,mine,bookOwner,listUncached,listUncached20,search1,search1p20,
                                            search2,search2p20,api,apiToken,add (default all)
  --search-one Q, --search-two Q            the one-word and two-word queries (default "river", "the river": both have more than 20 pages of results in the seeded catalogue)
  --deep-pages N                            More links followed for the deep page (default 1000)
  --signed-in N                             users signed in for mine and add (default 4)
  --no-reference                            skip the empty NestJS + Handlebars page (measured beside the ceiling)
  --soak S                                  then a mixed soak of S seconds (0 = none, default 0; max 900)
  --soak-only                               skip the scenario table, only the soak
  --reuse                                   keep the seeded SQLite data set in bench/results/.cache and reuse it
  --keep-logs                               keep the app's JSON log in bench/results/ (tens of MB)
  --otel                                    trace with OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT to a sink in
                                            this process that answers every export), to measure its cost
  --trace-headers                           send a W3C traceparent with every request, as Cloud Run does (the app
                                            then binds the trace to every log line of the request)
  --cpu-prof                                run the app with --cpu-prof (profile in bench/results/; summarise it
                                            with node bench/profile-summary.js FILE)
  --node-options="FLAGS"                    Node flags for the app (e.g. --node-options="--max-semi-space-size=32")
  --node PATH                               the Node.js binary that runs the app (default: this one; native
                                            modules must be built for it, so use it with --backend postgres)
  --app-root DIR                            benchmark another build (DIR has dist/, views/, public/, node_modules/)
  --postgres-url URL --mysql-url URL --redis-url URL   admin/server URLs (loopback only)
  --mongodb-url URL                         a real MongoDB (loopback); without it --backend mongodb runs jongodb,
                                            an emulator (default --books 5000), whose figures mean nothing
`;

/** The app runs with the Node flags of `npm start` (the Dockerfile's CMD has the same), then any --node-options. */
const START_FLAGS = /^node ((?:--\S+ )*)dist\/main\.js$/.exec(require('../package.json').scripts.start)[1].split(' ').filter(Boolean);

const TARGETS = {
  ceilingRatio: 0.1,
  p99Ms: 50,
  deepCost: 1.2,
  rssMb: 200,
  startupMs: 1000,
  // Issue 16: every page kind against the empty NestJS + Handlebars page of the same run, and CPU per request.
  emptyNestRatio: 0.6,
  signedInCpuMs: 0.5,
  bookCpuMs: 0.35,
};

/** An OTLP/HTTP endpoint that accepts and drops every export (for --otel); resolves to its URL. */
function otlpSink() {
  const server = require('node:http').createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.unref();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

function options() {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'sqlite' },
      sessions: { type: 'string', default: 'auto' },
      books: { type: 'string' },
      users: { type: 'string', default: '1000' },
      covers: { type: 'string', default: '0.1' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '10,50' },
      scenarios: {
        type: 'string',
        default:
          'list,deep,book,listSignedIn,mine,bookOwner,listUncached,listUncached20,search1,search1p20,search2,search2p20,api,apiToken,add',
      },
      'search-one': { type: 'string', default: 'river' },
      'search-two': { type: 'string', default: 'the river' },
      'deep-pages': { type: 'string', default: '1000' },
      'signed-in': { type: 'string', default: '4' },
      soak: { type: 'string', default: '0' },
      'soak-only': { type: 'boolean', default: false },
      reuse: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'no-reference': { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      otel: { type: 'boolean', default: false },
      'trace-headers': { type: 'boolean', default: false },
      'app-root': { type: 'string' },
      'node-options': { type: 'string', default: '' },
      node: { type: 'string', default: process.execPath },
      'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306/' },
      'mongodb-url': { type: 'string' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values['app-root']) {
    // Another build to compare (a folder with dist/, views/, public/ and node_modules/).
    ROOT = values['app-root'];
    DIST = join(ROOT, 'dist');
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const opts = {
    backend: values.backend,
    sessions: values.sessions,
    // The emulators (jongodb without --mongodb-url, Google's for Datastore) are far too slow for 100,000 books.
    books: int(values.books ?? (emulated(values) ? '5000' : '100000'), 'books', 1, 2_000_000),
    users: int(values.users, 'users', 1, 100_000),
    covers: Number(values.covers),
    duration: int(values.duration, 'duration', 1, 120),
    warmup: int(values.warmup, 'warmup', 0, 60),
    connections: values.connections.split(',').map((c) => int(c, 'connections', 1, 500)),
    scenarios: values.scenarios.split(',').filter(Boolean),
    searchOne: values['search-one'],
    searchTwo: values['search-two'],
    deepPages: int(values['deep-pages'], 'deep-pages', 1, 20_000),
    signedIn: int(values['signed-in'], 'signed-in', 1, 50),
    soak: int(values.soak, 'soak', 0, 900),
    soakOnly: values['soak-only'],
    reuse: values.reuse,
    cpuProf: values['cpu-prof'],
    noReference: values['no-reference'],
    keepLogs: values['keep-logs'],
    otel: values.otel,
    traceHeaders: values['trace-headers'],
    nodeOptions: values['node-options'].split(' ').filter(Boolean),
    node: values.node,
    postgresUrl: values['postgres-url'],
    mysqlUrl: values['mysql-url'],
    mongodbUrl: values['mongodb-url'],
    redisUrl: values['redis-url'],
  };
  if (!backends[opts.backend]) throw new Error(`--backend must be one of ${Object.keys(backends).join(', ')}`);
  if (!['auto', 'redis'].includes(opts.sessions)) throw new Error('--sessions must be auto or redis');
  const unknown = opts.scenarios.filter((s) => !SCENARIOS[s]);
  if (unknown.length) throw new Error(`Unknown scenarios: ${unknown.join(', ')}`);
  if (opts.signedIn > opts.users) opts.signedIn = opts.users;
  if (opts.sessions === 'redis') assertLoopback(opts.redisUrl.replace(/^redis/, 'http'));
  return opts;
}

/** Whether the chosen backend is an emulator (no real server was given). */
function emulated(values) {
  return values.backend === 'datastore' || (values.backend === 'mongodb' && !values['mongodb-url']);
}

function int(value, name, min, max) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max} (got ${value})`);
  return n;
}

/** What each scenario requests, and the status every answer must have. */
const SCENARIOS = {
  list: { title: 'list page 1 (anonymous)', make: () => ({ path: '/books', expect: 200 }) },
  deep: { title: 'list page deep in the set', make: (ctx) => ({ path: ctx.deepPath, expect: 200 }) },
  book: { title: 'one book page', make: (ctx) => ({ path: `/books/${ctx.bookId}`, expect: 200 }) },
  listSignedIn: { title: 'list page 1 (signed in)', make: (ctx) => signedIn(ctx, () => '/books') },
  mine: { title: 'My Books (signed in)', make: (ctx) => signedIn(ctx, () => '/books/mine') },
  bookOwner: { title: 'one book page (as its owner)', make: (ctx) => signedIn(ctx, (user) => `/books/${user.ownBookId}`) },
  // Search (issue 13): compared with the plain list rendered afresh (`?q=` is the plain list, never cached).
  listUncached: { title: 'list page 1, uncached (?q=)', make: () => ({ path: '/books?q=', expect: 200 }) },
  listUncached20: { title: 'list page 20, uncached', make: (ctx) => ({ path: ctx.search.plain20, expect: 200 }) },
  search1: { title: 'search, one word, page 1', make: (ctx) => ({ path: ctx.search.one1, expect: 200 }) },
  search1p20: { title: 'search, one word, page 20', make: (ctx) => ({ path: ctx.search.one20, expect: 200 }) },
  search2: { title: 'search, two words, page 1', make: (ctx) => ({ path: ctx.search.two1, expect: 200 }) },
  search2p20: { title: 'search, two words, page 20', make: (ctx) => ({ path: ctx.search.two20, expect: 200 }) },
  api: { title: 'API GET /api/v1/books (anonymous)', make: () => ({ path: '/api/v1/books', expect: 200 }) },
  apiToken: {
    title: 'API GET /api/v1/books (with a token)',
    make: (ctx) => {
      let turn = 0;
      return {
        expect: 200,
        requests: [
          {
            method: 'GET',
            path: '/api/v1/books',
            setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${ctx.users[turn++ % ctx.users.length].apiToken}` } }),
          },
        ],
      };
    },
  },
  add: {
    title: 'add book POST (CSRF)',
    make: (ctx) => {
      let turn = 0;
      const rnd = dataset.random(7);
      return {
        expect: 303,
        requests: [
          {
            method: 'POST',
            path: '/books/add',
            setupRequest: (req) => {
              const n = turn++;
              const user = ctx.users[n % ctx.users.length];
              const body = new URLSearchParams({
                title: `${dataset.title(rnd)} (bench ${n})`,
                author: dataset.author(rnd),
                publishedDate: dataset.publishedDate(rnd),
                description: dataset.description(rnd),
                _csrf: user.csrf,
              }).toString();
              return {
                ...req,
                headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                body,
              };
            },
          },
        ],
      };
    },
  },
};

/** GETs by the signed-in users in turn, each with its own cookie: `path(user)` is what each asks for. */
function signedIn(ctx, path) {
  let turn = 0;
  return {
    expect: 200,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const user = ctx.users[turn++ % ctx.users.length];
          return { ...req, path: path(user), headers: { ...req.headers, cookie: user.cookie } };
        },
      },
    ],
  };
}

/** The page kinds of issue 16, each held to the same share of the empty NestJS page, and CPU bounds. */
const PAGE_KINDS = ['list', 'deep', 'book', 'listSignedIn', 'mine', 'bookOwner'];
const SIGNED_IN_KINDS = new Set(['listSignedIn', 'mine', 'bookOwner']);

async function main() {
  const opts = options();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS, { recursive: true });
  const runDir = mkdtempSync(join(tmpdir(), 'bookshelf-bench-'));
  const dataDir = join(runDir, 'data');
  mkdirSync(dataDir);
  const cleanups = [() => rmSync(runDir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()();
      } catch (error) {
        console.error(`cleanup: ${error.message}`);
      }
    }
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  const report = {
    when: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30),
      node: opts.node === process.execPath ? process.version : execFileSync(opts.node, ['--version']).toString().trim(),
      platform: process.platform,
      loadAverageAtStart: loadavg().map((l) => round(l, 2)),
    },
    backend: opts.backend,
    sessions: opts.sessions,
    nodeOptions: [...START_FLAGS, ...opts.nodeOptions].join(' '),
    targets: TARGETS,
  };
  try {
    log(
      `Benchmark on ${opts.backend} (sessions: ${opts.sessions}), ${opts.books} books by ${opts.users} users; ${cpus().length} CPUs, app on Node ${report.machine.node}, load average ${loadavg()[0].toFixed(2)}`,
    );
    if (loadavg()[0] > cpus().length / 2)
      log('NOTE: this machine is busy; figures will be low and noisy (compare CPU ms/request, which suffers less)');
    const backend = await backends[opts.backend]({
      dataDir,
      postgresUrl: opts.postgresUrl,
      mysqlUrl: opts.mysqlUrl,
      mongodbUrl: opts.mongodbUrl,
    });
    cleanups.push(backend.teardown);
    if (backend.emulator) {
      report.emulator = true;
      log(
        opts.backend === 'datastore'
          ? "NOTE: Datastore is Google's emulator, much slower than Cloud Datastore: these figures say nothing about the app's speed there"
          : 'NOTE: MongoDB is jongodb, an in-memory emulator much slower than MongoDB: these figures say nothing about the app (use --mongodb-url)',
      );
    }
    const uploadDir = join(dataDir, 'uploads');
    const dataEnv = {
      ...backend.env,
      UPLOAD_DIR: uploadDir,
      ...(opts.sessions === 'redis' ? { SESSION_STORE: 'redis', REDIS_URL: opts.redisUrl } : {}),
    };

    report.dataset = await seed(opts, dataEnv, dataDir);

    const appPort = await freePort();
    const baseUrl = `http://127.0.0.1:${appPort}`;
    const client = { id: 'bookshelf-bench', secret: `bench-${Math.random().toString(36).slice(2)}-not-a-real-secret` };
    const idp = startNode(
      join(DIST, 'auth/dev-idp/standalone.js'),
      ['--port', '0', '--client-id', client.id, '--client-secret', client.secret, '--redirect-uri', `${baseUrl}/oauth2callback`],
      { cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'development' } },
    );
    cleanups.push(() => stop(idp, 5000));
    const [, idpUrl] = await waitForLine(idp, /DEV_IDP_URL=(\S+)/);
    assertLoopback(idpUrl);

    // The app's JSON log (tens of MB per run): kept in bench/results/ only with --keep-logs.
    const logFile = join(opts.keepLogs ? RESULTS : runDir, `${stamp}-${opts.backend}-app.log`);
    const logFd = openSync(logFile, 'w');
    const appEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      METADATA_SERVER_DETECTION: 'none',
      PORT: String(appPort),
      BASE_URL: baseUrl,
      // Random per run: production mode refuses low-variety secrets.
      SESSION_SECRET: randomBytes(32).toString('hex'),
      GOOGLE_OAUTH2_CLIENT_ID: client.id,
      GOOGLE_OAUTH2_CLIENT_SECRET: client.secret,
      GOOGLE_OAUTH2_AUTH_URL: `${idpUrl.replace(/\/$/, '')}/auth`,
      GOOGLE_OAUTH2_TOKEN_URL: `${idpUrl.replace(/\/$/, '')}/token`,
      GOOGLE_OAUTH2_USERINFO_URL: `${idpUrl.replace(/\/$/, '')}/userinfo`,
      LOG_LEVEL: 'info',
      // One address signs in many sessions: limits would measure themselves, not the pages.
      RATE_LIMITS: 'off',
      ...dataEnv,
    };
    if (opts.otel) appEnv.OTEL_EXPORTER_OTLP_ENDPOINT = await otlpSink();
    // As Cloud Run and App Engine send with every request: the app binds the trace to each log line.
    if (opts.traceHeaders) commonHeaders.traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const started = Date.now();
    const nodeArgs = [...START_FLAGS, ...opts.nodeOptions];
    if (opts.cpuProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${RESULTS}`, `--cpu-prof-name=${stamp}-${opts.backend}-app.cpuprofile`);
    const app = startNode(join(DIST, 'main.js'), [], { cwd: ROOT, env: appEnv, stdout: logFd, nodeArgs, node: opts.node });
    closeSync(logFd);
    let appStopped = false;
    cleanups.push(() => (appStopped ? undefined : stop(app)));
    report.startupMs = await waitForOk(`${baseUrl}/books`, app, started);
    report.idleMemory = memory(app.pid);
    log(
      `App started in ${report.startupMs} ms (target < ${TARGETS.startupMs} ms), RSS ${report.idleMemory.rssMb} MB${opts.keepLogs ? `; logs in ${logFile}` : ''}`,
    );

    const ctx = await prepare(baseUrl, opts);
    if (opts.sessions === 'redis') cleanups.push(() => forgetRedisSessions(opts.redisUrl, ctx.users));
    report.deepWalk = ctx.deepWalk;
    const pageFile = join(runDir, 'page1.html');
    writeFileSync(pageFile, ctx.page1);

    if (!opts.soakOnly) {
      report.ceiling = await measureReference('ceiling', join(__dirname, 'ceiling.js'), [pageFile], /CEILING_PORT=(\d+)/, opts);
      if (!opts.noReference) {
        report.emptyNest = await measureReference(
          'empty NestJS page',
          join(__dirname, 'reference/empty-nest.js'),
          [],
          /EMPTY_NEST_PORT=(\d+)/,
          opts,
        );
      }
      report.scenarios = [];
      // Every scenario once before any is measured, so that none pays for the JIT or heap growth of another.
      if (opts.warmup > 0) {
        log(`Warming up: ${opts.warmup} s of each scenario`);
        for (const name of opts.scenarios)
          await measure(baseUrl, SCENARIOS[name].make(ctx), { connections: opts.connections.at(-1), seconds: opts.warmup });
      }
      for (const name of opts.scenarios) {
        const scenario = SCENARIOS[name].make(ctx);
        for (const connections of opts.connections) {
          const cpuBefore = cpuSeconds(app.pid);
          const result = await measure(baseUrl, scenario, { connections, seconds: opts.duration });
          const cpuMsPerRequest = round(((cpuSeconds(app.pid) - cpuBefore) * 1000) / result.requests, 3);
          const mem = memory(app.pid);
          report.scenarios.push({
            scenario: name,
            title: SCENARIOS[name].title,
            connections,
            ...result,
            cpuMsPerRequest,
            rssMb: mem.rssMb,
            peakRssMb: mem.peakRssMb,
          });
          log(
            `  ${name.padEnd(5)} c=${String(connections).padStart(3)}  ${result.rps} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  errors ${result.errors}  RSS ${mem.rssMb} MB  CPU ${cpuMsPerRequest} ms/request`,
          );
        }
      }
      report.checks = checks(report);
      printTable(report);
    }

    if (opts.soak > 0) report.soak = await soak(baseUrl, app, ctx, opts);

    report.finalMemory = memory(app.pid);
    const shutdown = await stop(app);
    appStopped = true;
    report.shutdown = { exitCode: shutdown.code, signal: shutdown.signal, ms: shutdown.ms };
    const logText = readFileSync(logFile, 'utf8');
    report.logLines = logText.split('\n').filter((l) => l.startsWith('{"level":"info"') && l.includes('"req":')).length;
    log(
      `Shutdown on SIGTERM: exit ${shutdown.code ?? shutdown.signal} in ${shutdown.ms} ms; ${report.logLines} JSON request log lines written`,
    );

    report.machine.loadAverageAtEnd = loadavg().map((l) => round(l, 2));
    const out = join(RESULTS, `${stamp}-${opts.backend}.json`);
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    log(`Results: ${out}`);
  } finally {
    await cleanup();
  }
}

/** Seeds into `dataDir` (or copies a cached seeded SQLite set with --reuse). */
async function seed(opts, dataEnv, dataDir) {
  const cacheDir = join(RESULTS, '.cache', `sqlite-${opts.books}-${opts.users}-${opts.covers}`);
  if (opts.reuse && opts.backend === 'sqlite' && existsSync(join(cacheDir, 'done.json'))) {
    cpSync(cacheDir, dataDir, { recursive: true });
    const done = JSON.parse(readFileSync(join(cacheDir, 'done.json'), 'utf8'));
    log(`Reused the seeded data set from ${cacheDir} (seeded in ${done.ms} ms)`);
    return { ...done, reused: true };
  }
  log(`Seeding ${opts.books} books through the BooksRepository port...`);
  const seeder = startNode(
    join(__dirname, 'seed.js'),
    ['--dist', DIST, '--books', String(opts.books), '--users', String(opts.users), '--covers', String(opts.covers)],
    { cwd: ROOT, env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: 'none', NODE_ENV: 'development', ...dataEnv } },
  );
  const { code } = await seeder.exited;
  if (code !== 0) throw new Error(`Seeding failed (${code}):\n${seeder.output()}`);
  const result = JSON.parse(seeder.output().trim().split('\n').at(-1));
  log(`Seeded ${result.books} books (${result.withCover} with covers) in ${result.ms} ms`);
  if (opts.reuse && opts.backend === 'sqlite') {
    rmSync(cacheDir, { recursive: true, force: true });
    cpSync(dataDir, cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'done.json'), JSON.stringify(result));
  }
  return result;
}

/** List page 1's bytes, the deep page (following More), a book, and signed-in users with CSRF tokens. */
async function prepare(baseUrl, opts) {
  const page1 = await text(`${baseUrl}/books`);
  if (!/<h[2-4][\s>]/.test(page1)) throw new Error(`List page 1 shows no books:\n${page1.slice(0, 1500)}`);

  const walkStarted = Date.now();
  let path = '/books';
  let html = page1;
  for (let i = 0; i < opts.deepPages; i++) {
    const more = html.match(/rel="next" href="(\/books\?[^"]+)"/);
    if (!more) throw new Error(`No More link after ${i} pages; seed more books than ${opts.deepPages * 10}`);
    path = decodeEntities(more[1]);
    html = await text(`${baseUrl}${path}`);
  }
  const deepWalk = {
    pages: opts.deepPages,
    ms: Date.now() - walkStarted,
    msPerPage: round((Date.now() - walkStarted) / opts.deepPages, 2),
  };
  log(`Followed More ${opts.deepPages} times in ${deepWalk.ms} ms (${deepWalk.msPerPage} ms a page, one client)`);
  const bookId = html.match(/href="\/books\/([^"/?]+)"/)?.[1];
  if (!bookId) throw new Error('No book link on the deep page');

  const users = [];
  for (let i = 0; i < opts.signedIn; i++) {
    const person = dataset.userFor(i);
    const web = new WebClient(baseUrl);
    const landed = await web.signIn(person.email, person.name, '/books/mine');
    if (!landed.body.includes('My Books') || !/<h[2-4][\s>]/.test(landed.body))
      throw new Error(`My Books of ${person.email} shows no books`);
    // One of their own books, for the book page as its owner (edit and delete buttons shown).
    const ownBookId = landed.body.match(/class="book-link" href="\/books\/([^"]+)"/)?.[1];
    if (!ownBookId) throw new Error(`No book of ${person.email} on My Books`);
    const form = await web.get('/books/add');
    // A personal access token for the API scenarios, from the tokens page (shown once, in #new-token).
    const tokensPage = await web.get('/account/tokens');
    const created = await web.submit(tokensPage, 'form.token-form', { name: 'bench', scopes: 'books:read', expiresInDays: '30' });
    const apiToken = created.body.match(/id="new-token"[^>]*value="(bks_[^"]+)"/)?.[1];
    if (!apiToken) throw new Error(`No API token for ${person.email} (${created.status})`);
    users.push({ email: person.email, cookie: web.cookieHeader(), csrf: web.csrfToken(form), apiToken, ownBookId });
  }
  log(`Signed in ${users.length} users through the separate OpenID provider`);
  // Pages 20 are looked for only when a scenario asks for one, so that a small data set can run the others.
  const page20 = (scenario, first) => (opts.scenarios.includes(scenario) ? pagePath(baseUrl, first, 20) : null);
  const search = {
    // `&q=` keeps page 20 of the plain list out of the list page cache (an empty query is the plain list).
    plain20: `${await page20('listUncached20', '/books')}&q=`,
    one1: `/books?${new URLSearchParams({ q: opts.searchOne })}`,
    one20: await page20('search1p20', `/books?${new URLSearchParams({ q: opts.searchOne })}`),
    two1: `/books?${new URLSearchParams({ q: opts.searchTwo })}`,
    two20: await page20('search2p20', `/books?${new URLSearchParams({ q: opts.searchTwo })}`),
  };
  return { page1, deepPath: path, bookId, users, deepWalk, search };
}

/** The path of page `n` of a list (search results included), following its More links from `first`. */
async function pagePath(baseUrl, first, n) {
  let path = first;
  for (let page = 1; page < n; page++) {
    const html = await text(`${baseUrl}${path}`);
    const more = html.match(/rel="next" href="(\/books[^"]*)"/);
    if (!more) throw new Error(`${first} has fewer than ${n} pages: seed more books or pick another query`);
    path = decodeEntities(more[1]);
  }
  return path;
}

/** A reference server (the bare ceiling, the empty NestJS page) measured exactly like the app. */
async function measureReference(label, script, args, portPattern, opts) {
  const server = startNode(script, args, { cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'production' } });
  try {
    const [, port] = await waitForLine(server, portPattern);
    const url = `http://127.0.0.1:${port}`;
    const scenario = { path: '/', expect: 200 };
    if (opts.warmup > 0) await measure(url, scenario, { connections: opts.connections.at(-1), seconds: opts.warmup });
    const results = {};
    for (const connections of opts.connections) {
      const cpuBefore = cpuSeconds(server.pid);
      const result = await measure(url, scenario, { connections, seconds: opts.duration });
      const cpuMsPerRequest = round(((cpuSeconds(server.pid) - cpuBefore) * 1000) / result.requests, 3);
      results[connections] = { ...result, cpuMsPerRequest, rssMb: memory(server.pid).rssMb };
      const r = results[connections];
      log(
        `  ${label} c=${String(connections).padStart(3)}  ${r.rps} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}  CPU ${cpuMsPerRequest} ms/request`,
      );
    }
    return results;
  } finally {
    await stop(server, 5000);
  }
}

/** The targets of issue 6, each with its figure and whether it is met. */
function checks(report) {
  const find = (name, c) => report.scenarios.find((s) => s.scenario === name && s.connections === c);
  const out = [];
  const conns = [...new Set(report.scenarios.map((s) => s.connections))];
  const top = Math.max(...conns);
  for (const c of conns) {
    const here = report.scenarios.filter((s) => s.connections === c);
    const ceiling = report.ceiling?.[c];
    const empty = report.emptyNest?.[c];
    for (const s of here) {
      if (ceiling) s.ceilingRatio = round(s.rps / ceiling.rps, 3);
      if (empty) s.emptyNestRatio = round(s.rps / empty.rps, 2);
    }
    const list = find('list', c);
    // The targets are checked at 50 connections (or the most measured, when 50 is not).
    if (c === 50 || (c === top && !conns.includes(50))) {
      if (list?.ceilingRatio !== undefined) {
        out.push({
          check: `list page 1 at ${c} connections: app/ceiling`,
          value: list.ceilingRatio,
          target: `>= ${TARGETS.ceilingRatio}`,
          met: list.ceilingRatio >= TARGETS.ceilingRatio,
        });
      }
      out.push(...pageKindChecks(here, c));
    }
    const deep = find('deep', c);
    if (list && deep) {
      // Cost is CPU time per request where /proc tells it (steadier than throughput on a shared machine).
      const cost = round(
        deep.cpuMsPerRequest > 0 && list.cpuMsPerRequest > 0 ? deep.cpuMsPerRequest / list.cpuMsPerRequest : list.rps / deep.rps,
        2,
      );
      deep.costVsPage1 = cost;
      out.push({
        check: `deep page vs page 1 at ${c} connections: cost`,
        value: `x${cost}`,
        target: `<= x${TARGETS.deepCost}`,
        met: cost <= TARGETS.deepCost,
      });
    }
  }
  const peakRss = Math.max(...report.scenarios.map((s) => s.peakRssMb ?? s.rssMb));
  out.push({ check: 'RSS after every run', value: `${peakRss} MB (max)`, target: `< ${TARGETS.rssMb} MB`, met: peakRss < TARGETS.rssMb });
  out.push({
    check: 'start-up to first served page',
    value: `${report.startupMs} ms`,
    target: `< ${TARGETS.startupMs} ms`,
    met: report.startupMs < TARGETS.startupMs,
  });
  const errors = report.scenarios.reduce((n, s) => n + s.errors, 0);
  out.push({ check: 'errors (all runs)', value: errors, target: '0', met: errors === 0 });
  return out;
}

/** Issue 16's targets for each page kind measured at `c` connections. */
function pageKindChecks(scenarios, c) {
  const out = [];
  for (const s of scenarios.filter((s) => PAGE_KINDS.includes(s.scenario))) {
    if (s.emptyNestRatio !== undefined) {
      const target = TARGETS.emptyNestRatio;
      out.push({
        check: `${s.title} at ${c}: of the empty NestJS page`,
        value: s.emptyNestRatio,
        target: `>= ${target}`,
        met: s.emptyNestRatio >= target,
      });
    }
    out.push({ check: `${s.title} at ${c}: p99`, value: `${s.p99} ms`, target: `< ${TARGETS.p99Ms} ms`, met: s.p99 < TARGETS.p99Ms });
    const cpuTarget = SIGNED_IN_KINDS.has(s.scenario) ? TARGETS.signedInCpuMs : s.scenario === 'book' ? TARGETS.bookCpuMs : undefined;
    if (cpuTarget !== undefined && s.cpuMsPerRequest > 0)
      out.push({
        check: `${s.title} at ${c}: CPU per request`,
        value: `${s.cpuMsPerRequest} ms`,
        target: `<= ${cpuTarget} ms`,
        met: s.cpuMsPerRequest <= cpuTarget,
      });
  }
  return out;
}

function printTable(report) {
  const rows = [
    ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'CPU ms/req', 'of ceiling', 'of empty Nest', 'note'],
  ];
  for (const c of Object.keys(report.ceiling ?? {})) {
    const r = report.ceiling[c];
    rows.push(['ceiling (bare http, same bytes)', c, r.rps, r.p50, r.p99, r.errors, r.rssMb, r.cpuMsPerRequest, 1, '', '']);
  }
  for (const c of Object.keys(report.emptyNest ?? {})) {
    const r = report.emptyNest[c];
    const ofCeiling = report.ceiling?.[c] ? round(r.rps / report.ceiling[c].rps, 3) : '';
    rows.push(['empty NestJS + Handlebars page', c, r.rps, r.p50, r.p99, r.errors, r.rssMb, r.cpuMsPerRequest, ofCeiling, 1, '']);
  }
  for (const s of report.scenarios) {
    const note = s.costVsPage1 !== undefined ? `cost x${s.costVsPage1} of page 1 in CPU/request (<= x${TARGETS.deepCost})` : '';
    rows.push([
      s.title,
      s.connections,
      s.rps,
      s.p50,
      s.p99,
      s.errors,
      s.rssMb,
      s.cpuMsPerRequest,
      s.ceilingRatio ?? '',
      s.emptyNestRatio ?? '',
      note,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const left = (i) => i === 0 || i === rows[0].length - 1;
  const line = (r) =>
    `| ${r.map((cell, i) => (left(i) ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  for (const c of report.checks) console.log(`  ${c.met ? 'MET   ' : 'MISSED'}  ${c.check}: ${c.value} (target ${c.target})`);
  console.log('');
}

/**
 * Every scenario at once, in slices, for `opts.soak` seconds. Between slices, with no load running, samples
 * the app's RSS and open file descriptors (sockets, files): both should come back to a plateau, not grow.
 */
async function soak(baseUrl, app, ctx, opts) {
  const mix = { list: 16, deep: 6, book: 10, mine: 10, add: 4 };
  // At least three slices: the first warms up, and growth is judged on the others.
  const slice = Math.max(5, Math.min(30, Math.floor(opts.soak / 3)));
  const slices = Math.max(3, Math.round(opts.soak / slice));
  log(
    `Soak: ${slices} slices of ${slice} s, mixing ${Object.entries(mix)
      .map(([k, v]) => `${k} x${v}`)
      .join(', ')} connections`,
  );
  const settle = async () => {
    // Lets closed connections finish closing before the file descriptors are counted.
    await new Promise((r) => setTimeout(r, 1000));
    return { rssMb: memory(app.pid).rssMb, fds: openFds(app.pid) };
  };
  const baseline = await settle();
  const samples = [];
  let requests = 0;
  let errors = 0;
  for (let i = 0; i < slices; i++) {
    const results = await Promise.all(
      Object.entries(mix).map(([name, connections]) => measure(baseUrl, SCENARIOS[name].make(ctx), { connections, seconds: slice })),
    );
    const sample = { slice: i + 1, atSeconds: (i + 1) * slice, ...(await settle()) };
    sample.requests = results.reduce((n, r) => n + r.requests, 0);
    sample.errors = results.reduce((n, r) => n + r.errors, 0);
    sample.p99 = Math.max(...results.map((r) => r.p99));
    requests += sample.requests;
    errors += sample.errors;
    samples.push(sample);
    log(
      `  slice ${i + 1}/${slices}: ${Math.round(sample.requests / slice)} req/s, errors ${sample.errors}, RSS ${sample.rssMb} MB, open fds ${sample.fds}`,
    );
  }
  // The first slice warms caches and the JIT; growth is judged on the rest.
  const steady = samples.slice(1);
  const rssGrowth = round(steady.at(-1).rssMb - steady[0].rssMb);
  const slope = round(regressionSlope(steady.map((s) => [s.atSeconds / 60, s.rssMb])), 2);
  // Pools open their connections in the first slice; after that the count must hold.
  const fdGrowth = Math.max(...steady.map((s) => s.fds)) - steady[0].fds;
  const memoryFlat = rssGrowth <= 10 || rssGrowth <= steady[0].rssMb * 0.05;
  const handlesFlat = fdGrowth <= 5;
  const summary = {
    seconds: slices * slice,
    requests,
    errors,
    baseline,
    samples,
    rssGrowthMb: rssGrowth,
    rssSlopeMbPerMin: slope,
    fdGrowth,
    memoryFlat,
    handlesFlat,
  };
  log(
    `Soak: ${requests} requests, ${errors} errors; RSS ${steady[0].rssMb} -> ${steady.at(-1).rssMb} MB after warm-up (${slope} MB/min): ` +
      `${memoryFlat ? 'FLAT' : 'GROWING'}; open fds ${baseline.fds} before, ${steady[0].fds} after warm-up, then at most ${fdGrowth >= 0 ? '+' : ''}${fdGrowth}: ${handlesFlat ? 'FLAT' : 'GROWING'}`,
  );
  return summary;
}

/** Deletes the benchmark's sessions from a shared Redis (the store's key prefix, then the session id). */
async function forgetRedisSessions(url, users) {
  const { createClient } = require('redis');
  const redis = createClient({ url });
  await redis.connect();
  try {
    for (const { cookie } of users) {
      const value = decodeURIComponent(cookie.match(/bookshelf\.sid=([^;]+)/)?.[1] ?? '');
      if (value.startsWith('s:')) await redis.del(`bookshelf:sess:${value.slice(2, value.lastIndexOf('.'))}`);
    }
  } finally {
    await redis.quit();
  }
}

function regressionSlope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function text(url) {
  const response = await fetch(url, { redirect: 'manual' });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}:\n${body.slice(0, 1500)}`);
  return body;
}

function decodeEntities(s) {
  return s.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

function log(message) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exitCode = 1;
});
