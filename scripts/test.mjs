// `pnpm test`: every test in the repo (server, web unit, browser end-to-end), then one closing line
// `N passed, N failed, N skipped` summed over all runners from their JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = path.join(root, 'test-results');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

/** Counts from a Vitest JSON report. */
function vitestCounts(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.success || report.numFailedTests > 0 ? 0 : 1),
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

/** Counts from a Playwright JSON report. */
function playwrightCounts(file) {
  const { stats, errors = [] } = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: stats.expected + stats.flaky,
    failed: stats.unexpected + errors.length,
    skipped: stats.skipped,
  };
}

const runners = [
  {
    name: 'server',
    args: ['--filter', '@vs-align/server', 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json'],
    report: 'server.json',
    flag: '--outputFile.json',
    counts: vitestCounts,
  },
  {
    name: 'web unit',
    args: ['--filter', '@vs-align/web', 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json'],
    report: 'web-unit.json',
    flag: '--outputFile.json',
    counts: vitestCounts,
  },
  {
    name: 'web e2e',
    args: ['--filter', '@vs-align/web', 'run', 'test:e2e'],
    report: 'web-e2e.json',
    env: 'E2E_JSON_OUTPUT',
    counts: playwrightCounts,
  },
  {
    // The README's two commands on a fresh clone, as a new user meets the product.
    name: 'new user',
    args: ['--filter', '@vs-align/web', 'exec', 'playwright', 'test', '-c', 'playwright.new-user.config.ts'],
    report: 'new-user.json',
    env: 'E2E_JSON_OUTPUT',
    counts: playwrightCounts,
  },
];

const total = { passed: 0, failed: 0, skipped: 0 };
for (const runner of runners) {
  const report = path.join(reports, runner.report);
  const args = runner.flag ? [...runner.args, `${runner.flag}=${report}`] : runner.args;
  console.log(`\n=== ${runner.name} tests ===`);
  const started = Date.now();
  const result = spawnSync('pnpm', args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...(runner.env ? { [runner.env]: report } : {}) },
  });
  let counts;
  if (existsSync(report)) {
    counts = runner.counts(report);
    if (result.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner failed outside any test
  } else {
    console.error(`${runner.name}: the runner wrote no report (exit code ${result.status})`);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  console.log(
    `--- ${runner.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  for (const key of Object.keys(total)) total[key] += counts[key];
}

console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
