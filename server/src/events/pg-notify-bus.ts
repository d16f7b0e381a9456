import pg from 'pg';
import type { Logger } from '../logger.ts';
import {
  createInProcessSyncProgressBus,
  type SyncProgressBus,
  type SyncProgressEvent,
} from './sync-progress.ts';

const CHANNEL = 'vs_align_sync_progress';

export interface PgNotifyBus extends SyncProgressBus {
  close(): Promise<void>;
}

/**
 * Sync progress across server processes through PostgreSQL LISTEN/NOTIFY: every process publishes
 * with NOTIFY and delivers to its own subscribers what its LISTEN connection receives, its own events
 * included, so all subscribers see one order. Chosen over Redis because every deployment already has
 * PostgreSQL. Events are small snapshots (far under NOTIFY's 8000-byte limit) and one lost during a
 * reconnect is superseded by the next; a subscriber can always re-read the run's row.
 */
export async function createPgNotifySyncProgressBus(
  connectionString: string,
  logger: Logger,
): Promise<PgNotifyBus> {
  const local = createInProcessSyncProgressBus();
  let closed = false;
  let listener: pg.Client | null = null;
  // One publishing connection, used in order: NOTIFYs from one session arrive in the order sent.
  const publisher = new pg.Pool({ connectionString, max: 1, application_name: 'vs-align-notify' });
  publisher.on('error', (error) => logger.warn({ err: error }, 'Progress publisher connection failed'));
  let sending: Promise<unknown> = Promise.resolve();

  const deliver = (message: pg.Notification) => {
    if (message.channel !== CHANNEL || !message.payload) return;
    const event = JSON.parse(message.payload) as SyncProgressEvent;
    local.publish({ ...event, at: new Date(event.at) });
  };

  const listen = async (attempt = 0): Promise<void> => {
    if (closed) return;
    const client = new pg.Client({ connectionString, application_name: 'vs-align-listen' });
    const retry = () => {
      if (closed || listener !== client) return;
      listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      const delay = Math.min(5_000, 100 * 2 ** attempt);
      setTimeout(() => void listen(attempt + 1), delay).unref();
    };
    listener = client;
    client.on('notification', deliver);
    client.on('error', (error) => {
      logger.warn({ err: error }, 'Progress listener lost its connection; reconnecting');
      retry();
    });
    client.on('end', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      attempt = 0;
    } catch (error) {
      logger.warn({ err: error }, 'Progress listener could not connect; retrying');
      retry();
    }
  };
  await listen();

  return {
    publish(event) {
      sending = sending
        .then(() => publisher.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]))
        .catch((error) =>
          logger.warn({ err: error, runId: event.runId }, 'A progress event was not published'),
        );
    },
    subscribe: (accountId) => local.subscribe(accountId),
    async close() {
      closed = true;
      await sending;
      await publisher.end();
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
    },
  };
}
