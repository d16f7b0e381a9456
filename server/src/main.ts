import { createServer, type Server } from 'node:http';
import { createApp } from './app.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { loadSecretBox } from './auth/load-secret-box.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, withStartupLock, type Database } from './database.ts';
import { closableBus, type ClosableSyncProgressBus } from './events/closable-bus.ts';
import { createPgNotifySyncProgressBus, type PgNotifyBus } from './events/pg-notify-bus.ts';
import { AuditRetentionJob } from './jobs/audit-retention.job.ts';
import { DeadRunJob } from './jobs/dead-runs.job.ts';
import { ExpiryJob } from './jobs/expiry.job.ts';
import { SyncJob } from './jobs/sync.job.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics } from './observability/metrics.ts';
import { metricsAccess } from './observability/metrics-access.ts';
import { resolveOpenAIConnection, type ResolvedConnection } from './openai/connection.ts';
import { RemoteDeletionWorker } from './services/deletion/remote-deletion.worker.ts';
import { createLocalDemoStores } from './services/demo-local-stores.ts';
import { createServices, type Services } from './services/index.ts';

/** A temporary upload file untouched this long belongs to no live upload. */
const STALE_UPLOAD_MS = 60_000;

/** What is running, for shutdown to stop in order; absent parts never started. */
interface Runtime {
  database?: Database;
  bus?: PgNotifyBus;
  subscriptions?: ClosableSyncProgressBus;
  services?: Services;
  openai?: ResolvedConnection;
  deletionWorker?: RemoteDeletionWorker;
  jobs: Array<{ stop(): unknown }>;
  server?: Server;
}

async function listen(server: Server, config: Config): Promise<void> {
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
}

/**
 * Stops in the order that loses nothing: no new connections and no new work (schedulers, queue),
 * queue items in flight finish within the grace period or are handed back, running syncs end FAILED
 * ("The server shut down during this sync") and publish their final event, open subscriptions get
 * the run as stored and complete, then the HTTP server, the bus, the emulator and the database close.
 */
async function stop(runtime: Runtime, config: Config, logger: Logger): Promise<void> {
  const step = async (name: string, work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      logger.error({ err: error, step: name }, 'Shutdown step failed');
    }
  };
  const { server } = runtime;
  const serverClosed = server?.listening
    ? new Promise<void>((resolve) => server.close(() => resolve()))
    : Promise.resolve();
  for (const job of runtime.jobs) await step('jobs', () => job.stop());
  await step('deletion queue', () => runtime.deletionWorker?.stop(config.shutdownGraceMs));
  await step('syncs', () => runtime.services?.sync.shutdown());
  await step('subscriptions', async () => {
    await runtime.bus?.flush();
    runtime.subscriptions?.closeSubscriptions();
  });
  await step('http', async () => {
    server?.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.shutdownGraceMs)));
    await Promise.race([serverClosed, late]);
    clearTimeout(timer);
    server?.closeAllConnections();
  });
  await step('progress bus', () => runtime.bus?.close());
  await step('emulator', () => runtime.openai?.close());
  await step('database', () => runtime.database?.close());
}

/** The process: configuration → database → OpenAI connection → HTTP server; graceful shutdown. */
async function main(): Promise<void> {
  let config: Config;
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
  const runtime: Runtime = { jobs: [] };
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // A stuck step must not keep a replica from exiting (the orchestrator would SIGKILL it anyway).
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs * 3).unref();
    await stop(runtime, config, logger);
    logger.info({ code }, 'Stopped');
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'Shutting down');
      void shutdown(0);
    });
  }

  try {
    const database = await openDatabase(config, logger);
    runtime.database = database;
    const secrets = await loadSecretBox(config);
    // Progress crosses replicas through PostgreSQL LISTEN/NOTIFY (README "Running several replicas").
    const bus = await createPgNotifySyncProgressBus(database.url, logger);
    runtime.bus = bus;
    const metrics = new Metrics(database.dataSource);
    const subscriptions = closableBus(metrics.instrument(bus));
    runtime.subscriptions = subscriptions;
    const services = createServices(database.dataSource, secrets, {
      dataDir: config.dataDir,
      maxUploadBytes: config.maxUploadBytes,
      onDeletionQueued: () => runtime.deletionWorker?.wake(),
      sync: config.sync,
      syncProgress: subscriptions,
      logger,
    });
    runtime.services = services;
    metrics.observeLimits(() => services.sync.limits());
    // Partial uploads of a process that died (not those of a live replica sharing DATA_DIR).
    const sweepUploads = async () => {
      const swept = await services.contents.sweepTemp(STALE_UPLOAD_MS);
      if (swept > 0) logger.info({ swept }, 'Removed abandoned temporary upload files');
    };
    await sweepUploads();
    // Again now and then: a replica restarted at once leaves files too fresh for the first sweep.
    const sweeper = setInterval(() => void sweepUploads().catch(() => undefined), STALE_UPLOAD_MS);
    sweeper.unref();
    runtime.jobs.push({ stop: () => clearInterval(sweeper) });

    const openai = await resolveOpenAIConnection(config, logger);
    runtime.openai = openai;
    const { generatedToken } = await withStartupLock(database.dataSource, async () => {
      const ensured = await services.accounts.ensureDefaultAccount({
        adminToken: config.adminToken,
        openai: openai.connection,
        syncSchedule: config.syncSchedule,
      });
      // The demo shows both kinds of store: the emulator holds the mirrored ones, these are local.
      if (ensured.created && openai.emulated)
        await createLocalDemoStores(services.writer, ensured.account.id);
      return ensured;
    });

    // Runs left RUNNING by a process that died are failed (only those whose account lock is free),
    // at start and, with the jobs, periodically: a replica killed while the others run is noticed
    // without a restart.
    const deadRuns = new DeadRunJob(services.sync, logger, config.deadRunCheckMs);
    await deadRuns.tick();
    if (config.runJobs) {
      deadRuns.start();
      runtime.jobs.push(deadRuns);
      const deletionWorker = new RemoteDeletionWorker(database.dataSource, services.accounts, logger, {
        leaseMs: config.queueLeaseMs,
        limiterOf: (accountId) => services.sync.limiterOf(accountId),
      });
      runtime.deletionWorker = deletionWorker;
      deletionWorker.start();
      const auditRetention = new AuditRetentionJob(services.audit, config.auditRetentionDays, logger);
      auditRetention.start();
      void auditRetention.tick();
      runtime.jobs.push(auditRetention);
      const expiryJob = new ExpiryJob(services.expiry, logger);
      expiryJob.start();
      runtime.jobs.push(expiryJob);
      const syncJob = new SyncJob(services.sync, () => services.accounts.listAccounts(), logger);
      await syncJob.start();
      runtime.jobs.unshift(syncJob);
    }

    if (metricsAccess(config.host, config.metricsToken) === 'closed') {
      logger.warn(
        { host: config.host },
        '/metrics is off: set METRICS_TOKEN to serve it on a non-loopback HOST',
      );
    }
    const app = createApp({
      services,
      logger,
      rateLimit: createRateLimits(database.dataSource, config.rateLimit),
      trustedProxies: config.trustedProxies,
      uploadsPerToken: config.uploadsPerToken,
      subscriptions: { perToken: config.subscriptionsPerToken },
      // Without METRICS_TOKEN, /metrics is served only on a loopback HOST.
      metrics:
        metricsAccess(config.host, config.metricsToken) === 'closed'
          ? undefined
          : { metrics, token: config.metricsToken },
    });
    const server = createServer(app);
    runtime.server = server;
    await listen(server, config);
    server.closeIdleConnections();

    logger.info({ url: `http://${config.host}:${config.port}/graphql` }, 'GraphQL API listening');
    if (generatedToken) {
      // Printed once, on purpose, to the terminal only (not the log stream): it is the only copy.
      process.stdout.write(`\n  Admin token (shown once, keep it): ${generatedToken}\n\n`);
    }
  } catch (error) {
    logger.error((error as Error).message);
    await shutdown(1);
  }
}

await main();
