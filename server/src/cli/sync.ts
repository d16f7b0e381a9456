import { parseArgs } from 'node:util';
import { loadSecretBox } from '../auth/load-secret-box.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../database.ts';
import type { SyncRunEntity } from '../db/entities/sync-run.entity.ts';
import type { SyncProgressEvent } from '../events/sync-progress.ts';
import { createLogger } from '../logger.ts';
import { createServices } from '../services/index.ts';
import { auditCli } from './admin-context.ts';

export const summary = 'Sync an account with OpenAI now, showing progress, then print the run.';
export const usage = 'pnpm cli sync [--account <account id>]   (default: the first account)';

const BAR_WIDTH = 30;

function progressLine(
  event: Pick<
    SyncProgressEvent,
    'storesDone' | 'storesTotal' | 'filesDone' | 'requests' | 'retries' | 'phase'
  >,
): string {
  const ratio = event.storesTotal > 0 ? Math.min(1, event.storesDone / event.storesTotal) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` +
    `${event.storesDone}/${event.storesTotal} stores, ${event.filesDone} files, ` +
    `${event.requests} requests (${event.retries} retries), ${event.phase}`
  );
}

function printSummary(run: SyncRunEntity): void {
  const seconds = run.finishedAt
    ? ((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)
    : '?';
  const rows: Array<[string, string | number]> = [
    ['run', run.id],
    ['status', run.status],
    [
      'scope',
      run.vectorStoreId ? `store ${run.vectorStoreId}` : run.full ? 'account (full pass)' : 'account',
    ],
    ['time', `${seconds} s`],
    [
      'stores',
      `${run.storesTotal} found, ${run.storesCreated} created, ${run.storesUpdated} updated, ${run.storesRemoved} removed`,
    ],
    [
      'files',
      `${run.filesDone} read, ${run.filesCreated} created, ${run.filesUpdated} updated, ${run.filesRemoved} removed`,
    ],
    ['orphans', run.orphansFound],
    ['requests', `${run.requests} (${run.retries} retries)`],
  ];
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(9)} ${value}\n`);
  for (const error of run.errors) {
    process.stdout.write(
      `  error     ${error.vectorStoreExternalId ? `${error.vectorStoreExternalId}: ` : ''}${error.message}\n`,
    );
  }
}

/** Runs one sync of an account in this process and prints its outcome (exit code 0 only if SUCCEEDED). */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { account: { type: 'string' } } });
  const config = loadConfig();
  // Logs go to stderr as JSON at warn level: the terminal shows the bar and the summary.
  const logger = createLogger('warn', process.stderr);
  const database = await openDatabase(config, logger);
  const tty = process.stderr.isTTY === true;
  try {
    const services = createServices(database.dataSource, await loadSecretBox(config), {
      sync: config.sync,
      logger,
    });
    const account = values.account
      ? await services.accounts.findAccount(values.account)
      : ((await services.accounts.listAccounts())[0] ?? null);
    if (!account) {
      process.stderr.write(
        values.account ? `No account ${values.account}\n` : 'No account yet: start the server once\n',
      );
      return 1;
    }
    await services.sync.markDeadRuns();

    const events = services.sync.bus.subscribe(account.id);
    const event = {
      accountId: account.id,
      kind: 'START_SYNC',
      summary: { scope: 'ACCOUNT', trigger: 'CLI' },
    };
    let started: Awaited<ReturnType<typeof services.sync.startSync>>;
    try {
      started = await services.sync.startSync({ accountId: account.id, trigger: 'CLI' });
    } catch (error) {
      await auditCli(services.audit, {
        ...event,
        targets: [{ type: 'Account', id: account.id }],
        outcome: 'FAILED',
        errorType: error instanceof Error ? error.constructor.name : 'Error',
      });
      throw error;
    }
    await auditCli(services.audit, {
      ...event,
      targets: [
        { type: 'Account', id: account.id },
        { type: 'SyncRun', id: started.run.id },
      ],
    });
    process.stderr.write(
      started.joined
        ? `A sync of "${account.name}" is already running (run ${started.run.id}); waiting for it.\n`
        : `Syncing "${account.name}" (run ${started.run.id})\n`,
    );
    const draw = (async () => {
      for await (const event of events) {
        if (event.runId !== started.run.id) continue;
        process.stderr.write(tty ? `\r${progressLine(event)}\x1b[K` : `${progressLine(event)}\n`);
        if (event.final) break;
      }
    })();
    const finished = await started.done;
    await events.return?.();
    await draw;
    if (tty) process.stderr.write('\n');
    printSummary(finished);
    return finished.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await database.close();
  }
}
