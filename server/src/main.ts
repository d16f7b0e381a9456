import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { loadSecretBox } from './auth/load-secret-box.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { ExpiryJob } from './jobs/expiry.job.ts';
import { SyncJob } from './jobs/sync.job.ts';
import { createLogger } from './logger.ts';
import { resolveOpenAIConnection } from './openai/connection.ts';
import { RemoteDeletionWorker } from './services/deletion/remote-deletion.worker.ts';
import { createServices } from './services/index.ts';

/** The process: configuration → database → OpenAI connection → HTTP server; graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const closers: Array<() => Promise<void>> = [];
  const shutdown = async (code: number) => {
    for (const close of closers.reverse()) await close().catch((error) => logger.error({ err: error }, 'close'));
    process.exit(code);
  };

  try {
    const database = await openDatabase(config, logger);
    closers.push(database.close);
    const secrets = await loadSecretBox(config);
    let deletionWorker: RemoteDeletionWorker | null = null;
    const services = createServices(database.dataSource, secrets, {
      dataDir: config.dataDir,
      maxUploadBytes: config.maxUploadBytes,
      onDeletionQueued: () => deletionWorker?.wake(),
      sync: config.sync,
    });
    // Runs left RUNNING by a process that died are failed (only those whose account lock is free).
    const deadRuns = await services.sync.markDeadRuns();
    if (deadRuns > 0) logger.warn({ runs: deadRuns }, 'Marked sync runs of a stopped process as FAILED');

    const openai = await resolveOpenAIConnection(config, logger);
    closers.push(openai.close);
    // Closers run in reverse: running syncs end (FAILED) before the emulator and the database close.
    closers.push(() => services.sync.shutdown());
    const { generatedToken } = await services.accounts.ensureDefaultAccount({
      adminToken: config.adminToken,
      openai: openai.connection,
    });

    if (config.runJobs) {
      deletionWorker = new RemoteDeletionWorker(database.dataSource, services.accounts, logger);
      deletionWorker.start();
      const worker = deletionWorker;
      closers.push(() => worker.stop());
      const expiryJob = new ExpiryJob(services.expiry, logger);
      expiryJob.start();
      closers.push(() => expiryJob.stop());
      const syncJob = new SyncJob(services.sync, () => services.accounts.listAccounts(), logger);
      await syncJob.start();
      closers.push(async () => syncJob.stop());
    }

    const app = createApp({ services, logger, rateLimit: config.rateLimit });
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Port ${config.port} is already in use: set PORT to a free port`)
            : error,
        ),
      );
      server.listen(config.port, config.host, resolve);
    });
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.closeIdleConnections();

    logger.info({ url: `http://${config.host}:${config.port}/graphql` }, 'GraphQL API listening');
    if (generatedToken) {
      // Printed once, on purpose, to the terminal only (not the log stream): it is the only copy.
      process.stdout.write(`\n  Admin token (shown once, keep it): ${generatedToken}\n\n`);
    }
  } catch (error) {
    logger.error((error as Error).message);
    await shutdown(1);
    return;
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'Shutting down');
      void shutdown(0);
    });
  }
}

await main();
