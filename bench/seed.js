'use strict';
/**
 * Seeds the benchmark data set through the BooksRepository port, with covers through CoverService (so
 * through the ImageStorage port), on whatever backend the app's own environment variables select.
 * Run by bench/run.js in a child process, with the compiled app in dist/:
 *
 *   SQL_URL=... node bench/seed.js --books 100000 --users 1000 --covers 0.1
 *
 * Prints one JSON line with what it did.
 */
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const dataset = require('./lib/dataset');

let DIST = join(__dirname, '..', 'dist');
const BATCH = 500;

/**
 * On SQL, a batch of `create` calls runs inside one transaction: still the SqlBooksRepository's own
 * `create`, over a transaction handle instead of the pool, so that 100,000 books are not 100,000 commits.
 * Returns null for other backends, which get plain `create` calls, many at once.
 */
function batchedWriter(context, config, dist) {
  if (config.dataBackend !== 'sql') return null;
  const { SqlDatabase } = require(join(dist, 'database/sql/sql-database'));
  const { SqlBooksRepository } = require(join(dist, 'books/persistence/sql/sql-books.repository'));
  const database = context.get(SqlDatabase, { strict: false });
  return (batch) =>
    database.db.transaction().execute(async (trx) => {
      const repository = new SqlBooksRepository(Object.assign(Object.create(database), { db: trx }));
      for (const book of batch) await repository.create(book);
    });
}

async function main() {
  const { values } = parseArgs({
    options: {
      books: { type: 'string', default: '100000' },
      users: { type: 'string', default: '1000' },
      covers: { type: 'string', default: '0.1' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '42' },
      dist: { type: 'string' },
    },
  });
  if (values.dist) DIST = values.dist;
  const bookCount = Number(values.books);
  const userCount = Number(values.users);
  const coverShare = Number(values.covers);
  const concurrency = Number(values.concurrency);

  const { NestFactory } = require('@nestjs/core');
  const { loadConfig } = require(join(DIST, 'config/app-config'));
  const { ConfigModule } = require(join(DIST, 'config/config.module'));
  const { FEATURE_STORAGE } = require(join(DIST, 'app.module'));
  const { DatabaseModule } = require(join(DIST, 'database/database.module'));
  const { BooksPersistenceModule } = require(join(DIST, 'books/persistence/books-persistence.module'));
  const { StorageModule } = require(join(DIST, 'storage/storage.module'));
  const { BooksRepository } = require(join(DIST, 'books/books.repository'));
  const { CoverService } = require(join(DIST, 'storage/cover.service'));
  const { sortKeyFor } = require(join(DIST, 'books/book'));
  const { devSubject } = require(join(DIST, 'auth/dev-idp/dev-identity-provider'));

  const config = loadConfig(process.env);
  const started = Date.now();
  const context = await NestFactory.createApplicationContext(
    {
      module: class BenchSeedModule {},
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config, FEATURE_STORAGE),
        BooksPersistenceModule.forRoot(config),
        { ...StorageModule.forRoot(config), global: true },
      ],
    },
    { logger: ['error', 'warn'] },
  );
  try {
    const books = context.get(BooksRepository, { strict: false });
    const covers = context.get(CoverService, { strict: false });

    // A couple of dozen distinct covers, re-encoded and stored the way uploads are; books share them.
    const sharp = require('sharp');
    const coverKeys = [];
    const coverCount = coverShare > 0 ? Math.min(24, Math.max(1, Math.round(bookCount * coverShare))) : 0;
    for (let i = 0; i < coverCount; i++) {
      const hue = (i * 47) % 360;
      const png = await sharp({
        create: { width: 600, height: 900, channels: 3, background: `hsl(${hue}, 45%, 45%)` },
      })
        .composite([
          {
            input: Buffer.from(
              `<svg width="600" height="900"><rect x="60" y="120" width="480" height="200" fill="hsl(${(hue + 180) % 360},60%,80%)"/><circle cx="300" cy="620" r="160" fill="white" fill-opacity="0.6"/></svg>`,
            ),
          },
        ])
        .png()
        .toBuffer();
      coverKeys.push(await covers.store(await covers.prepare(png)));
    }

    const users = Array.from({ length: userCount }, (_, i) => {
      const user = dataset.userFor(i);
      return { id: devSubject(user.email), name: user.name };
    });
    const rnd = dataset.random(Number(values.seed));
    let withCover = 0;
    const newBook = () => {
      const owner = users[Math.floor(rnd() * users.length)];
      const cover = coverKeys.length > 0 && rnd() < coverShare ? coverKeys[Math.floor(rnd() * coverKeys.length)] : null;
      if (cover) withCover++;
      const title = dataset.title(rnd);
      return {
        title,
        author: dataset.author(rnd),
        publishedDate: dataset.publishedDate(rnd),
        description: dataset.description(rnd),
        imageKey: cover?.imageKey ?? null,
        thumbnailKey: cover?.thumbnailKey ?? null,
        createdById: owner.id,
        createdBy: owner.name,
        sortKey: sortKeyFor(title),
      };
    };
    const batches = batchedWriter(context, config, DIST);
    let next = 0;
    const worker = async () => {
      while (next < bookCount) {
        const size = Math.min(BATCH, bookCount - next);
        next += size;
        const batch = Array.from({ length: size }, newBook);
        if (batches) await batches(batch);
        else for (const book of batch) await books.create(book);
      }
    };
    // SQL batches one at a time: every write raises the one change counter (BooksRepository.changeStamp),
    // so concurrent batch transactions would only wait on its row lock.
    await Promise.all(Array.from({ length: batches ? 1 : concurrency }, worker));
    console.log(
      JSON.stringify({ books: bookCount, users: userCount, withCover, distinctCovers: coverKeys.length, ms: Date.now() - started }),
    );
  } finally {
    await context.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
