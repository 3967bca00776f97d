/**
 * Readiness of the configured data backend, provided by each backend module.
 * `check` resolves when the database answers, and rejects otherwise; it never hangs past its timeout.
 */
export abstract class DatabaseHealth {
  abstract check(): Promise<void>;
}
