import path from 'node:path';
import { DEFAULT_TRUSTED_PROXIES, isAddressOrSubnet } from './http/client-address.ts';
import { Cron } from 'croner';
import { fileURLToPath } from 'node:url';

/** The repository root: `.data/` lives there by default. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Config {
  port: number;
  host: string;
  /** Unset: an embedded PostgreSQL under `dataDir` is started by the process itself. */
  databaseUrl: string | null;
  dataDir: string;
  /** Unset: the built-in emulator is started and seeded with demo data. */
  openaiApiKey: string | null;
  openaiBaseUrl: string | null;
  openaiProject: string | null;
  emulatorPort: number;
  adminToken: string | null;
  /** Required as a bearer token by `/metrics` when set; unset: `/metrics` is open (keep it off the internet). */
  metricsToken: string | null;
  /** Encrypts OpenAI keys at rest; unset: generated once and kept under `dataDir`. */
  secretKey: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Cron schedule given to the default account (and accounts the CLI creates); null leaves it as stored. */
  syncSchedule: string | null;
  /** Requests per token (per second on average, and at once) and unauthenticated requests per address per minute. */
  rateLimit: { perSecond: number; burst: number; unauthenticatedPerMinute: number };
  /** Peers whose `X-Forwarded-For` names the client (the web app). */
  trustedProxies: string[];
  /** Largest accepted upload into a local store. */
  maxUploadBytes: number;
  /** Uploads one token may have in progress at once on this process. */
  uploadsPerToken: number;
  /** Subscriptions one token may have open at once on this process. */
  subscriptionsPerToken: number;
  /** Run croner schedules and the deletion queue in this process. */
  runJobs: boolean;
  /** Upper bounds on OpenAI requests in flight and per second, per account (0: no rate bound). */
  sync: { concurrency: number; maxRequestsPerSecond: number };
  /** How long a claimed deletion-queue item is held (renewed while worked on); a dead replica's come back after it. */
  queueLeaseMs: number;
  /** How often this process looks for RUNNING sync runs of a stopped process (their account lock is free). */
  deadRunCheckMs: number;
  /** On SIGTERM/SIGINT, how long work in progress may take to finish before it is handed back. */
  shutdownGraceMs: number;
  /** Audit events older than this many days are pruned (daily, and at start). */
  auditRetentionDays: number;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Parses the environment once; every bad variable is named in a single ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (key: string): string | null => {
    const value = env[key]?.trim();
    return value ? value : null;
  };
  const port = (key: string, fallback: number): number => {
    const raw = str(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      problems.push(`${key} must be a port number from 0 to 65535, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const positiveInt = (key: string, fallback: number): number => {
    const raw = str(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      problems.push(`${key} must be a positive whole number, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const raw = str(key);
    if (raw === null) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${key} must be "true" or "false", got "${raw}"`);
    return fallback;
  };
  const cron = (key: string): string | null => {
    const raw = str(key);
    if (raw === null) return null;
    try {
      new Cron(raw, { paused: true }).stop();
      return raw;
    } catch {
      problems.push(`${key} must be a cron expression (croner syntax, e.g. "*/5 * * * *"), got "${raw}"`);
      return null;
    }
  };
  const url = (key: string, protocols: string[]): string | null => {
    const raw = str(key);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol) || !parsed.hostname) throw new Error('malformed');
      return raw;
    } catch {
      // The value may hold a password: name the variable and the expected form, not the value.
      problems.push(`${key} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return null;
    }
  };

  const list = (key: string): string[] | null => {
    const raw = str(key);
    if (raw === null) return null;
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0 || !items.every(isAddressOrSubnet)) {
      problems.push(
        `${key} must be a comma-separated list of IP addresses or subnets (10.0.0.0/8), got "${raw}"`,
      );
      return null;
    }
    return items;
  };

  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of debug, info, warn, error, got "${logLevel}"`);
  }
  const adminToken = str('ADMIN_TOKEN');
  if (adminToken !== null && adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters long');
  }
  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== null && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters long');
  }
  const secretKey = str('SECRET_KEY');
  if (secretKey !== null && secretKey.length < 32) {
    problems.push('SECRET_KEY must be at least 32 characters long');
  }

  const config: Config = {
    port: port('PORT', 4000),
    host: str('HOST') ?? '127.0.0.1',
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(str('DATA_DIR') ?? path.join(repoRoot, '.data')),
    openaiApiKey: str('OPENAI_API_KEY'),
    openaiBaseUrl: url('OPENAI_BASE_URL', ['http:', 'https:']),
    openaiProject: str('OPENAI_PROJECT'),
    emulatorPort: port('EMULATOR_PORT', 4010),
    adminToken,
    metricsToken,
    secretKey,
    logLevel: logLevel as Config['logLevel'],
    syncSchedule: cron('SYNC_SCHEDULE'),
    maxUploadBytes: positiveInt('MAX_UPLOAD_BYTES', 512 * 1024 * 1024),
    uploadsPerToken: positiveInt('MAX_UPLOADS_PER_TOKEN', 4),
    subscriptionsPerToken: positiveInt('MAX_SUBSCRIPTIONS_PER_TOKEN', 20),
    rateLimit: {
      perSecond: positiveInt('RATE_LIMIT_PER_SECOND', 50),
      burst: positiveInt('RATE_LIMIT_BURST', 100),
      unauthenticatedPerMinute: positiveInt('RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', 30),
    },
    trustedProxies: list('TRUSTED_PROXIES') ?? DEFAULT_TRUSTED_PROXIES,
    runJobs: flag('RUN_JOBS', true),
    sync: {
      // Upper bounds only: the limits in force are found while calling OpenAI (0 = no rate bound).
      concurrency: positiveInt('SYNC_CONCURRENCY', 128),
      maxRequestsPerSecond: positiveInt('OPENAI_MAX_RPS', 0),
    },
    queueLeaseMs: positiveInt('QUEUE_LEASE_MS', 60_000),
    deadRunCheckMs: positiveInt('DEAD_RUN_CHECK_MS', 30_000),
    shutdownGraceMs: positiveInt('SHUTDOWN_GRACE_MS', 10_000),
    auditRetentionDays: positiveInt('AUDIT_RETENTION_DAYS', 180),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
