import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: null,
      openaiApiKey: null,
      emulatorPort: 4010,
      syncSchedule: null,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('names every bad variable at once and never echoes a database password', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x', PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(3);
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).not.toContain('hunter2');
  });

  it('refuses a DATABASE_URL without a host', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres:/nohost' })).toThrow(/DATABASE_URL/);
  });

  it('refuses a SYNC_SCHEDULE that is not a cron expression, and keeps a valid one', () => {
    expect(() => loadConfig({ SYNC_SCHEDULE: 'every tuesday' })).toThrow(/SYNC_SCHEDULE/);
    expect(loadConfig({ SYNC_SCHEDULE: '*/30 * * * * *' }).syncSchedule).toBe('*/30 * * * * *');
  });

  it('takes TRUSTED_PROXIES as addresses and subnets, and refuses anything else', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 172.16.0.0/12,::1' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '::1',
    ]);
    for (const bad of ['web', '10.0.0.0/33', '10.0.0.1/8/1', '*']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it('keeps audit events 180 days unless AUDIT_RETENTION_DAYS says otherwise, and refuses a bad value', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(180);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    for (const value of ['0', '-1', '1.5', 'forever']) {
      expect(() => loadConfig({ AUDIT_RETENTION_DAYS: value })).toThrow(
        `AUDIT_RETENTION_DAYS must be a positive whole number, got "${value}"`,
      );
    }
  });

  it('takes RUN_JOBS as "true" or "false" only', () => {
    expect(loadConfig({}).runJobs).toBe(true);
    expect(loadConfig({ RUN_JOBS: 'false' }).runJobs).toBe(false);
    expect(loadConfig({ RUN_JOBS: 'true' }).runJobs).toBe(true);
    for (const value of ['no', '0', 'FALSE', 'off']) {
      expect(() => loadConfig({ RUN_JOBS: value })).toThrow(
        `RUN_JOBS must be "true" or "false", got "${value}"`,
      );
    }
  });

  it('refuses a short ADMIN_TOKEN or METRICS_TOKEN', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS_TOKEN: 'metrics-token-0123456789' }).metricsToken).toBe(
      'metrics-token-0123456789',
    );
  });
});
