// Runs Lighthouse for each job read as JSON from stdin, one at a time, each in a fresh headless Chromium,
// and prints one JSON line per job: its scores and the audits that cost points. A process of its own, since
// Lighthouse is ESM, which Jest cannot load in-process on Node 20; test/helpers/lighthouse.ts starts it.
//   stdin: {"chromePath": "...", "chromeFlags": [...], "jobs": [{"url": "...", "formFactor": "mobile" | "desktop", "headers": {}}]}
import { createRequire } from 'node:module';
import { text } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

/** chrome-launcher is Lighthouse's own dependency: resolved from Lighthouse, wherever npm placed it. */
async function importFromLighthouse(name) {
  const require = createRequire(import.meta.resolve('lighthouse'));
  return import(pathToFileURL(require.resolve(name)).href);
}

/** The audits of a category that cost it points: weighted ones below 1, and performance's advice below 0.9. */
function auditsCostingPoints(lhr, category) {
  return lhr.categories[category].auditRefs
    .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
    .filter(
      ({ ref, audit }) => audit.score !== null && (ref.weight > 0 ? audit.score < 1 : category === 'performance' && audit.score < 0.9),
    )
    .map(({ audit }) => ({ id: audit.id, title: audit.title, score: audit.score, value: audit.displayValue ?? null, where: where(audit) }));
}

/** Up to three of the elements, links or URLs an audit names, so that a failure says where to look. */
function where(audit) {
  return (audit.details?.items ?? [])
    .map(describeItem)
    .filter(Boolean)
    .slice(0, 3)
    .map((text) => (text.length > 200 ? `${text.slice(0, 197)}...` : text));
}

function describeItem(item) {
  const { node } = item;
  if (node)
    return [node.snippet, node.nodeLabel && `"${node.nodeLabel}"`, node.selector && `at ${node.selector}`].filter(Boolean).join(' ');
  if (item.href !== undefined) return `<a href="${item.href}">${item.text}</a>`;
  return item.url ?? item.source?.url ?? null;
}

async function audit(launch, options, job) {
  const chrome = await launch({ chromePath: options.chromePath, chromeFlags: options.chromeFlags, logLevel: 'silent' });
  try {
    const flags = {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: CATEGORIES,
      extraHeaders: job.headers,
      // Only for the HTML report; it costs a second a run.
      disableFullPageScreenshot: true,
      // Signed-in pages are no-store on purpose, which keeps them out of the back/forward cache; the audit is
      // unweighted and navigates once more (a second a run).
      skipAudits: ['bf-cache'],
    };
    const { lhr } = await lighthouse(job.url, flags, job.formFactor === 'desktop' ? desktopConfig : undefined);
    if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    const categories = Object.fromEntries(
      CATEGORIES.map((id) => [id, { score: Math.round(lhr.categories[id].score * 100), audits: auditsCostingPoints(lhr, id) }]),
    );
    return { finalUrl: lhr.finalDisplayedUrl, warnings: lhr.runWarnings, categories };
  } finally {
    chrome.kill();
  }
}

async function main() {
  const options = JSON.parse(await text(process.stdin));
  const { launch } = await importFromLighthouse('chrome-launcher');
  for (const job of options.jobs) {
    // Lighthouse's own advice for a run that failed to record (NO_NAVSTART, seen about once in 20 runs here
    // when the machine is busy): run it again. Once.
    const attempt = () => audit(launch, options, job);
    const line = await attempt()
      .catch(attempt)
      .then(
        (result) => ({ result }),
        (error) => ({ error: error?.stack ?? String(error) }),
      );
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
