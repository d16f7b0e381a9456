import pg from 'pg';
import type { Logger } from '../logger.ts';
import {
  createInProcessSyncProgressBus,
  type SyncProgressBus,
  type SyncProgressEvent,
} from './sync-progress.ts';

const CHANNEL = 'vs_align_sync_progress';

export interface PgNotifyBus extends SyncProgressBus {
  /**
   * Resolves once every event published so far has come back through this process's LISTEN
   * connection (so its own subscribers have them), or after `timeoutMs`.
   */
  flush(timeoutMs?: number): Promise<void>;
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
  /** Flush markers this process waits for (other processes ignore them). */
  const markers = new Map<string, () => void>();
  let markerCount = 0;
  const marker = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  const deliver = (message: pg.Notification) => {
    if (message.channel !== CHANNEL || !message.payload) return;
    const parsed = JSON.parse(message.payload) as SyncProgressEvent | { flush: string };
    if ('flush' in parsed) {
      markers.get(parsed.flush)?.();
      return;
    }
    local.publish({ ...parsed, at: new Date(parsed.at) });
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
    async flush(timeoutMs = 2_000) {
      const id = `${marker}-${++markerCount}`;
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<void>((resolve) => {
        markers.set(id, resolve);
        timer = setTimeout(resolve, timeoutMs);
      });
      // Sent after every earlier event on the same session, so it arrives after them.
      sending = sending
        .then(() => publisher.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ flush: id })]))
        .catch(() => {});
      await arrived;
      clearTimeout(timer);
      markers.delete(id);
    },
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
