import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonBody, readMultipartBody } from './body.ts';
import { EmulatorClock, type TimeSource } from './clock.ts';
import { handleControl } from './control.ts';
import { ApiError, invalidApiKey, malformedId } from './errors.ts';
import { FaultInjector, faultSeedFromEnvironment, type FaultSettings } from './faults.ts';
import type { Reply, RequestContext } from './handlers/context.ts';
import { BATCH_ID_PREFIX, newRequestId, WELL_FORMED_ID } from './ids.ts';
import { matchRoute } from './routes.ts';
import { seedAccount, type SeedOptions, type SeedResult } from './seed.ts';
import { Account, type ObjectPatch } from './state.ts';
import { RequestStats, type Stats } from './stats.ts';
import type { Json } from './validation.ts';

export interface EmulatorOptions {
  /** Time source behind the emulator clock (ms); real time by default. */
  clock?: TimeSource;
  /** Real-time delay before an attached file leaves `in_progress`; 50 ms by default. */
  attachDelayMs?: number;
  /** Seed of the random faults; `EMULATOR_FAULT_SEED` or a new one by default. */
  faultSeed?: number;
}

export interface Emulator {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Forgets every key's data, clears faults and stats, and puts the clock back on real time. */
  reset(): void;
  seed(options: SeedOptions): SeedResult;
  setFaults(faults: FaultSettings): FaultSettings;
  faults(): FaultSettings;
  /** The seed random faults are drawn from (print it when a test fails; replay with EMULATOR_FAULT_SEED). */
  readonly faultSeed: number;
  stats(): Stats;
  resetStats(): void;
  /** Unix seconds; `set(now)`, `advance(seconds)`. */
  readonly clock: EmulatorClock;
  /** The data of one API key (created on first use; a new key is registered), for in-process seeding. */
  account(apiKey: string): Account;
  /**
   * Makes a key valid (again). Keys that look like OpenAI's (`sk-…`) are valid until revoked; any
   * other key only once registered, here or through the control API (seeding registers its key).
   */
  registerKey(apiKey: string): void;
  /** Makes a key invalid from now on: every request with it gets OpenAI's 401 `invalid_api_key`. */
  revokeKey(apiKey: string): void;
  /**
   * Alters the JSON of one vector store or File of a key (or, with `vectorStoreId`, of that store's
   * file) in every answer from now on (the object itself is unchanged), to see how clients cope with
   * an object they cannot read. Returns false when the key has no such object.
   */
  corrupt(apiKey: string, objectId: string, patch: ObjectPatch, vectorStoreId?: string): boolean;
  /** Changes the attach delay of files attached from now on (tests that must see `in_progress`). */
  setAttachDelayMs(ms: number): void;
  /** Finishes every attachment still in progress now, whatever its delay. */
  settleAttachments(): void;
}

// RFC 6750 b64token: anything else is a malformed bearer credential.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = new EmulatorClock(options.clock);
  let attachDelayMs = options.attachDelayMs ?? 50;
  const faults = new FaultInjector(options.faultSeed ?? faultSeedFromEnvironment());
  const requestStats = new RequestStats();
  let accounts = new Map<string, Account>();
  let registeredKeys = new Set<string>();
  let revokedKeys = new Set<string>();
  let seq = 0;

  const isValidKey = (apiKey: string): boolean =>
    !revokedKeys.has(apiKey) && (apiKey.startsWith('sk-') || registeredKeys.has(apiKey));

  const registerKey = (apiKey: string): void => {
    revokedKeys.delete(apiKey);
    if (!apiKey.startsWith('sk-')) registeredKeys.add(apiKey);
  };

  // In-process use (seeding) registers a new key, but never brings a revoked one back: only
  // `registerKey` (POST /__emulator/keys) does that.
  const account = (apiKey: string): Account => {
    if (!apiKey.startsWith('sk-') && !revokedKeys.has(apiKey)) registeredKeys.add(apiKey);
    return dataOf(apiKey);
  };

  const dataOf = (apiKey: string): Account => {
    let found = accounts.get(apiKey);
    if (found === undefined) {
      found = new Account({
        nowSeconds: () => clock.now(),
        realMs: () => performance.now(),
        attachDelayMs: () => attachDelayMs,
        nextSeq: () => ++seq,
      });
      accounts.set(apiKey, found);
    }
    return found;
  };

  const emulator: Emulator = {
    clock,
    account,
    registerKey,
    revokeKey(apiKey) {
      registeredKeys.delete(apiKey);
      revokedKeys.add(apiKey);
    },
    corrupt(apiKey, objectId, patch, vectorStoreId) {
      const data = accounts.get(apiKey);
      const target =
        vectorStoreId === undefined
          ? (data?.stores.get(objectId) ?? data?.files.get(objectId))
          : data?.stores.get(vectorStoreId)?.files.all.get(objectId);
      if (target === undefined) return false;
      target.corruption = patch;
      // A File's JSON is encoded once and kept: encode it again with the patch.
      if ('json' in target) target.json = undefined;
      return true;
    },
    setAttachDelayMs(ms) {
      attachDelayMs = ms;
    },
    settleAttachments() {
      for (const data of accounts.values()) data.catchUp(true);
    },
    handle(req, res) {
      startedAt.set(res, performance.now());
      dispatch(req, res).catch((error: unknown) => {
        const failure =
          error instanceof ApiError
            ? error
            : new ApiError(500, `Emulator error: ${String(error)}`, null, null, 'server_error');
        if (!res.headersSent) sendJson(res, failure.status, failure.toBody());
        else res.destroy();
      });
    },
    reset() {
      accounts = new Map();
      registeredKeys = new Set();
      revokedKeys = new Set();
      faults.set({});
      requestStats.reset();
      clock.reset();
    },
    seed(seedOptions) {
      const target = account(seedOptions.apiKey);
      target.catchUp();
      return seedAccount(target, seedOptions, clock.now());
    },
    setFaults: (settings) => faults.set(settings),
    faults: () => faults.current,
    faultSeed: faults.seed,
    stats: () => requestStats.snapshot(),
    resetStats: () => requestStats.reset(),
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/__emulator/')) {
      const body = method === 'GET' || method === 'DELETE' ? {} : await readJsonBody(req);
      sendJson(res, 200, handleControl(emulator, method, url.pathname, body));
      return;
    }
    const match = matchRoute(method, url.pathname);
    if (url.pathname.startsWith('/v1/')) requestStats.count(match?.key ?? null);
    if (match === null) throw new ApiError(404, `Invalid URL (${method} ${url.pathname})`);

    const apiKey = authenticate(req.headers.authorization);
    if (!isValidKey(apiKey)) throw invalidApiKey(apiKey);
    checkPathIds(match.route.path, match.params);
    // The body is read before any fault so that an answer never leaves a request half-read.
    let body: Json = {};
    let upload: RequestContext['upload'];
    if (match.route.body === 'json') body = await readJsonBody(req);
    if (match.route.body === 'multipart') ({ fields: body, upload } = await readMultipartBody(req));

    const delayMs = faults.delayMs(match.key);
    if (delayMs > 0) await sleep(delayMs);
    const fault = faults.decide(match.key, apiKey, performance.now());
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'error') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterMs !== undefined) {
        // Retry-After is whole seconds (>= 1, as the spec declares); the SDK prefers retry-after-ms.
        headers['retry-after'] = String(Math.max(1, Math.ceil(fault.retryAfterMs / 1000)));
        headers['retry-after-ms'] = String(fault.retryAfterMs);
      }
      sendJson(res, fault.error.status, fault.error.toBody(), headers);
      return;
    }

    const data = dataOf(apiKey);
    data.catchUp();
    const ctx: RequestContext = {
      account: data,
      params: match.params,
      query: url.searchParams,
      body,
      upload,
      faults: faults.current,
    };
    const reply = match.route.handle(ctx, attachDelayMs);
    if (fault.kind === 'cut') {
      cut(res, reply);
      return;
    }
    send(res, reply);
  }

  return emulator;
}

function authenticate(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new ApiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const match = BEARER.exec(header);
  if (match === null) {
    throw new ApiError(
      401,
      'Incorrect API key provided: the Authorization header is not a valid Bearer token.',
      null,
      'invalid_api_key',
    );
  }
  return match[1]!;
}

/**
 * OpenAI checks the form of path ids before looking them up: a `vector_store_id` (or a vector store's
 * `file_id`) with other characters, or a `batch_id` without its prefix, is a 400, not a 404. A File's
 * own `file_id` is only looked up (`GET /v1/files/fake_id` is a 404).
 */
function checkPathIds(template: string, params: Record<string, string>): void {
  const { vector_store_id: storeId, file_id: fileId, batch_id: batchId } = params;
  const plainId =
    'contains letters, numbers, underscores, or dashes, but this value contained additional characters';
  if (storeId !== undefined && !WELL_FORMED_ID.test(storeId))
    throw malformedId('vector_store_id', storeId, plainId);
  if (batchId !== undefined && !batchId.startsWith(BATCH_ID_PREFIX)) {
    throw malformedId('batch_id', batchId, `begins with '${BATCH_ID_PREFIX}'`);
  }
  if (fileId !== undefined && template.startsWith('/v1/vector_stores/') && !WELL_FORMED_ID.test(fileId)) {
    throw malformedId('file_id', fileId, plainId);
  }
}

/** When each response's request arrived, for `openai-processing-ms`. */
const startedAt = new WeakMap<ServerResponse, number>();

/** The headers every OpenAI answer carries. */
const baseHeaders = (res: ServerResponse): Record<string, string> => ({
  'x-request-id': newRequestId(),
  'openai-version': '2020-10-01',
  'openai-processing-ms': String(Math.round(performance.now() - (startedAt.get(res) ?? performance.now()))),
});

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(res, status, JSON.stringify(value), headers);
}

function sendText(
  res: ServerResponse,
  status: number,
  json: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...baseHeaders(res),
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

function send(res: ServerResponse, reply: Reply): void {
  if ('bytes' in reply) {
    res.writeHead(200, {
      ...baseHeaders(res),
      'content-type': reply.contentType,
      'content-length': reply.bytes.length,
    });
    res.end(reply.bytes);
  } else if ('rawJson' in reply) {
    sendText(res, 200, reply.rawJson);
  } else {
    sendJson(res, 200, reply.json, reply.headers);
  }
}

/** The answer's headers and its first half, then the connection destroyed (a `cut` fault). */
function cut(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(
    'bytes' in reply ? reply.bytes : 'rawJson' in reply ? reply.rawJson : JSON.stringify(reply.json),
  );
  res.writeHead(200, {
    ...baseHeaders(res),
    'content-type': 'application/json',
    'content-length': body.length,
  });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

export interface RunningEmulator {
  /** Base URL ending in /v1, for `new OpenAI({ baseURL })`. */
  url: string;
  emulator: Emulator;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 = any free port). */
export async function startEmulator(
  options: { port?: number; host?: string; emulator?: Emulator } & EmulatorOptions = {},
): Promise<RunningEmulator> {
  const emulator = options.emulator ?? createEmulator(options);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => emulator.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    emulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
