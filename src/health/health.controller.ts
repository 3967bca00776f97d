import { Controller, Get, Inject, Res } from '@nestjs/common';
import { Store } from 'express-session';
import type { Response } from 'express';
import { DatabaseHealth } from '../common/database-health';

const READINESS_TIMEOUT_MS = 2000;

@Controller()
export class HealthController {
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

  /** Readiness: the configured database (and a separate session store) answers within two seconds. */
  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([this.database.check(), this.sessions.ping?.()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS);
        }),
      ]);
      res.status(200).json({ status: 'ok' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', reason: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
