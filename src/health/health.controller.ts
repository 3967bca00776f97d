import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { Store } from 'express-session';
import type { Response } from 'express';
import { DatabaseHealth } from '../database/database-health';

const READINESS_TIMEOUT_MS = 2000;

@Controller()
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly database: DatabaseHealth,
    // A session store on a server of its own (Redis) has a `ping`; the others live in the database checked above.
    @Inject(Store) private readonly sessions: Store & { ping?: () => Promise<void> },
  ) {}

  /** Liveness: the process serves requests. */
  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the configured database (and a separate session store) answers within two seconds. The
   * answer names what failed, never how (driver messages name hosts and ports); the log has the detail.
   */
  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const checks: Record<string, (() => Promise<void>) | undefined> = {
      database: () => this.database.check(),
      sessions: this.sessions.ping && (() => this.sessions.ping!()),
    };
    const failing: string[] = [];
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        if (!check) return;
        try {
          await withinDeadline(check(), READINESS_TIMEOUT_MS);
        } catch (error) {
          failing.push(name);
          this.logger.warn(`Not ready: ${name}: ${String((error as Error)?.message ?? error)}`);
        }
      }),
    );
    if (failing.length === 0) res.status(200).json({ status: 'ok' });
    else res.status(503).json({ status: 'unavailable', failing: failing.sort() });
  }
}

async function withinDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
