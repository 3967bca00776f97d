import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';
import { stopProcess } from './app-process';

/** lighthouse-runner.mjs: Lighthouse (ESM) in plain Node, outside Jest's module system. */
const RUNNER = join(__dirname, 'lighthouse-runner.mjs');
/** Lighthouse wants the new headless mode; the rest keeps Chromium on loopback (docs/testing.md, "A real browser"). */
const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_ARGS];

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];
export type FormFactor = 'mobile' | 'desktop';

export interface LighthouseJob {
  url: string;
  /** Lighthouse's default (a mid-range phone on a slow 4G network) or its desktop-config.js. */
  formFactor: FormFactor;
  /** Sent with every request of the page (a session cookie). */
  headers?: Record<string, string>;
}

export interface CostlyAudit {
  id: string;
  title: string;
  score: number;
  value: string | null;
  /** Up to three of the elements (HTML, label, selector), links or URLs it names. */
  where: string[];
}

export interface LighthouseResult {
  finalUrl: string;
  warnings: string[];
  categories: Record<Category, { score: number; audits: CostlyAudit[] }>;
}

/** A job's result, or why Lighthouse could not produce one. */
export type LighthouseAnswer = { result: LighthouseResult; error?: undefined } | { result?: undefined; error: string };

/**
 * Audits each page in turn (Lighthouse measures timing: never two at once), each in a fresh Chromium.
 * Resolves with one answer per job, in order; rejects only when the runner itself fails.
 */
export function runLighthouse(jobs: LighthouseJob[], timeoutMs: number): Promise<LighthouseAnswer[]> {
  const child = spawn(process.execPath, [RUNNER], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '',
      METADATA_SERVER_DETECTION: 'none',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  child.stdin.end(JSON.stringify({ chromePath: CHROMIUM_PATH, chromeFlags: CHROME_FLAGS, jobs }));
  const killer = setTimeout(() => void stopProcess(child), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(killer);
      const lines = stdout.split('\n').filter(Boolean);
      if (code !== 0 || lines.length !== jobs.length) {
        return reject(new Error(`Lighthouse exited with ${code} after ${lines.length} of ${jobs.length} pages:\n${stderr}`));
      }
      resolve(lines.map((line) => JSON.parse(line) as LighthouseAnswer));
    });
  });
}

/** The scores as a table, one row per page and form factor. */
export function scoreTable(rows: { page: string; formFactor: FormFactor; result?: LighthouseResult }[]): string {
  const width = Math.max(4, ...rows.map((r) => r.page.length));
  const line = (cells: string[]) =>
    `${cells[0].padEnd(width)}  ${cells[1].padEnd(7)}  ${cells
      .slice(2)
      .map((c) => c.padStart(4))
      .join('  ')}`;
  return [
    line(['page', 'form', 'perf', 'a11y', 'bp', 'seo']),
    ...rows.map((r) => line([r.page, r.formFactor, ...CATEGORIES.map((c) => (r.result ? String(r.result.categories[c].score) : '-'))])),
  ].join('\n');
}

/** Every category below its bar, with the audits that cost it points: empty when the page passes. */
export function belowTheBar(result: LighthouseResult, bar: Record<Category, number>): string[] {
  return CATEGORIES.filter((c) => result.categories[c].score < bar[c]).map((c) => {
    const audits = result.categories[c].audits.map((a) => {
      const value = a.value ? `, ${a.value}` : '';
      return `\n    ${a.id} (${a.title}; score ${a.score}${value})${a.where.map((w) => `\n      ${w}`).join('')}`;
    });
    return `${c} ${result.categories[c].score} < ${bar[c]}:${audits.join('')}`;
  });
}
