import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DatabaseHealth } from '../common/database-health';

const READINESS_TIMEOUT_MS = 2000;

@Controller()
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  /** Liveness: the process serves requests. */
  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** Readiness: the configured database answers within two seconds. */
  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.database.check(),
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
