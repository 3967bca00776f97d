import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { RateLimiter } from '../../src/rate-limits/rate-limiter';
import { RateLimitsModule } from '../../src/rate-limits/rate-limits.module';
import { describeEverySqlEngine, describeWhen } from '../helpers/backends';
import { startTestMongo, testMongoUnavailable, type TestMongo } from '../helpers/jongodb';
import { createSqliteDatabase, REDIS_URL, redisUnavailable } from '../helpers/sql-servers';

/** Budgets small enough to reach in a test: 3 writes a minute, 2 uploads and 2 sign-in steps an hour. */
const BUDGETS = { RATE_LIMITS: 'on', RATE_LIMIT_WRITES: '3/60', RATE_LIMIT_UPLOADS: '2/3600', RATE_LIMIT_SIGN_IN: '2/3600' };

/** One app instance's rate limiter, chosen from config as the app chooses it (with its data backend). */
async function openInstance(env: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadConfig({ ...BUDGETS, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), RateLimitsModule.forRoot(config)],
  }).compile();
  return moduleRef.init();
}

interface Harness {
  /** Two instances over the same store. */
  a: RateLimiter;
  b: RateLimiter;
  close(): Promise<void>;
}

function describeRateLimiterContract(name: string, open: () => Promise<Harness>): void {
  describe(name, () => {
    let harness: Harness;
    // Fresh keys per run: a shared Redis keeps counters between runs.
    const key = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      harness = await open();
    });

    afterAll(async () => {
      await harness?.close();
    });

    it('lets requests through within the budget and refuses the next one with the seconds to wait', async () => {
      const ada = key('ada');
      for (let i = 0; i < 3; i++) await expect(harness.a.consume('writes', ada)).resolves.toBeNull();
      const wait = await harness.a.consume('writes', ada);
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
    });

    it('shares one budget between instances over the same store', async () => {
      const bob = key('bob');
      await expect(harness.a.consume('writes', bob)).resolves.toBeNull();
      await expect(harness.b.consume('writes', bob)).resolves.toBeNull();
      await expect(harness.a.consume('writes', bob)).resolves.toBeNull();
      await expect(harness.b.consume('writes', bob)).resolves.toEqual(expect.any(Number));
      await expect(harness.a.consume('writes', bob)).resolves.toEqual(expect.any(Number));
    });

    it('keeps the budgets of people and of actions apart', async () => {
      const carol = key('carol');
      const dan = key('dan');
      await harness.a.consume('uploads', carol);
      await harness.a.consume('uploads', carol);
      await expect(harness.a.consume('uploads', carol)).resolves.toEqual(expect.any(Number));
      await expect(harness.a.consume('uploads', dan)).resolves.toBeNull();
      await expect(harness.a.consume('writes', carol)).resolves.toBeNull();
    });

    it('counts the start and the finish of sign-in separately, each against the sign-in budget', async () => {
      const address = key('203.0.113.7');
      await harness.a.consume('signInStart', address);
      await harness.b.consume('signInStart', address);
      await expect(harness.a.consume('signInStart', address)).resolves.toEqual(expect.any(Number));
      await expect(harness.a.consume('signInFinish', address)).resolves.toBeNull();
    });
  });
}

async function twoInstances(env: Record<string, string>, cleanup: () => Promise<void>): Promise<Harness> {
  const first = await openInstance(env);
  const second = await openInstance(env);
  return {
    a: first.get(RateLimiter),
    b: second.get(RateLimiter),
    close: async () => {
      await first.close();
      await second.close();
      await cleanup();
    },
  };
}

describeEverySqlEngine((engine, createDatabase) =>
  describeRateLimiterContract(`rate limits counted in ${engine}`, async () => {
    const database = await createDatabase();
    return twoInstances({ DATA_BACKEND: 'sql', SQL_URL: database.url }, () => database.drop());
  }),
);

describeWhen(redisUnavailable())('Redis', () =>
  describeRateLimiterContract('rate limits counted in Redis (REDIS_URL set)', async () => {
    const database = await createSqliteDatabase();
    return twoInstances({ DATA_BACKEND: 'sql', SQL_URL: database.url, REDIS_URL }, () => database.drop());
  }),
);

describeWhen(testMongoUnavailable())('MongoDB', () =>
  describeRateLimiterContract(`rate limits counted in ${process.env.MONGODB_URL ? 'MongoDB' : 'jongodb'}`, async () => {
    const server: TestMongo = await startTestMongo();
    return twoInstances({ DATA_BACKEND: 'mongodb', MONGODB_URL: server.url }, () => server.stop());
  }),
);
