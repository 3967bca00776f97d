'use strict';
/**
 * A Jest reporter (next to the default one, see jest.config.js) that lists every skipped test at the end
 * of the run, with its file and full name. Suites that cannot run here skip through `describeWhen`
 * (test/helpers/skip-or-fail.ts), whose stand-in test is named `skipped: <reason>`: so the reason for each
 * skip is printed in `npm test`'s own output, whatever Jest's default reporter leaves out.
 * Plain JavaScript: Jest loads reporters without transforming them.
 */
const { relative } = require('node:path');

class SkippedReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          skipped.push(`  ${relative(this.rootDir, file.testFilePath)}: ${[...test.ancestorTitles, test.title].join(' › ')}`);
        }
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\nSkipped tests (${skipped.length}), each with its reason:\n${skipped.join('\n')}\n\n`);
  }
}

module.exports = SkippedReporter;
