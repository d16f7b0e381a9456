import { metricsAccess } from '../../src/observability/metrics-access.ts';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createInProcessSyncProgressBus } from '../../src/events/sync-progress.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { createServices } from '../../src/services/index.ts';
import { createAccount, testSecrets } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let metrics: Metrics;

const appWith = (token: string | null) =>
  createApp({
    services: createServices(database.dataSource, testSecrets),
    logger: pino({ level: 'silent' }),
    metrics: { metrics, token },
  });

const scrape = async () => {
  const response = await appWith(null).fetch('http://localhost/metrics');
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
};

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : undefined;
};

beforeAll(async () => {
  database = await createTestDatabase();
  metrics = new Metrics(database.dataSource);
  const account = await createAccount(database.dataSource, { name: 'Secretive Corp' });
  await database.dataSource.query(
    `INSERT INTO sync_run (account_id, trigger, status, requests, retries, errors, started_at, finished_at) VALUES
       ($1, 'MANUAL', 'SUCCEEDED', 10, 1, '[]', now() - interval '3 seconds', now()),
       ($1, 'SCHEDULE', 'PARTIAL', 20, 4, '[{"message":"x"},{"message":"y"}]', now() - interval '2 seconds', now()),
       ($1, 'SCHEDULE', 'RUNNING', 5, 0, '[]', now(), NULL)`,
    [account.id],
  );
  await database.dataSource.query(
    `INSERT INTO remote_deletion (account_id, kind, external_id, created_at) VALUES ($1, 'FILE', 'file-1', now() - interval '90 seconds')`,
    [account.id],
  );
});

afterAll(async () => database.drop());

describe('/metrics', () => {
  it('reports sync runs, OpenAI requests, retries, errors and the deletion queue, without naming accounts', async () => {
    const text = await scrape();
    expect(value(text, 'vs_align_sync_runs_total{status="SUCCEEDED"}')).toBe(1);
    expect(value(text, 'vs_align_sync_runs_total{status="PARTIAL"}')).toBe(1);
    expect(value(text, 'vs_align_sync_running')).toBe(1);
    expect(value(text, 'vs_align_sync_openai_requests_total')).toBe(35);
    expect(value(text, 'vs_align_sync_openai_retries_total')).toBe(5);
    expect(value(text, 'vs_align_sync_errors_total')).toBe(2);
    expect(value(text, 'vs_align_sync_duration_seconds_total')).toBeCloseTo(5, 0);
    expect(value(text, 'vs_align_deletion_queue_depth')).toBe(1);
    expect(value(text, 'vs_align_deletion_queue_oldest_seconds')).toBeGreaterThanOrEqual(89);
    expect(text).toContain('vs_align_process_resident_memory_bytes');
    expect(text).not.toContain('Secretive');
  });

  it('counts open progress subscriptions', async () => {
    const bus = metrics.instrument(createInProcessSyncProgressBus());
    const first = bus.subscribe('a');
    const second = bus.subscribe('b');
    expect(value(await scrape(), 'vs_align_sync_progress_subscribers')).toBe(2);
    await first.return?.();
    await first.return?.(); // closing twice counts once
    expect(value(await scrape(), 'vs_align_sync_progress_subscribers')).toBe(1);
    await second.return?.();
    expect(value(await scrape(), 'vs_align_sync_progress_subscribers')).toBe(0);
  });

  it('asks for the metrics token when one is configured', async () => {
    const app = appWith('metrics-token-0123456789');
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', 'metrics-token-0123456789']) {
      const response = await app.fetch('http://localhost/metrics', {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('vs_align_');
    }
    const response = await app.fetch('http://localhost/metrics', {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(response.status).toBe(200);
    expect(value(await response.text(), 'vs_align_sync_running')).toBe(1);
  });
});

describe('/metrics outside loopback', () => {
  it('needs METRICS_TOKEN when HOST is not a loopback address', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(metricsAccess(host, null)).toBe('open');
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'api.example.com']) {
      expect(metricsAccess(host, null)).toBe('closed');
      expect(metricsAccess(host, 'metrics-token-0123456789')).toBe('token');
    }
  });
});
