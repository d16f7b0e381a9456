import OpenAI, { toFile } from 'openai';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/emulator/index.ts';
import { startTestEmulator, type TestEmulator } from './helpers.ts';

/**
 * Golden response shapes: every route's body has exactly the keys real OpenAI sends, with its nulls,
 * read both through the official SDK and with plain fetch. The key sets are those of the recorded
 * traffic (`../shared/openai/recorded/openai-dotnet.json`, checked below when it is beside the
 * repository); search and content pages, which it does not hold, follow openapi.yaml.
 */
const KEYS = {
  vector_store: [
    'id',
    'object',
    'created_at',
    'name',
    'description',
    'usage_bytes',
    'file_counts',
    'status',
    'expires_after',
    'expires_at',
    'last_active_at',
    'metadata',
  ],
  'vector_store.file': [
    'id',
    'object',
    'usage_bytes',
    'created_at',
    'vector_store_id',
    'status',
    'last_error',
    'chunking_strategy',
    'attributes',
  ],
  'vector_store.file_batch': ['id', 'object', 'created_at', 'status', 'vector_store_id', 'file_counts'],
  file: [
    'object',
    'id',
    'purpose',
    'filename',
    'bytes',
    'created_at',
    'expires_at',
    'status',
    'status_details',
  ],
  deleted: ['id', 'object', 'deleted'],
  list: ['object', 'data', 'first_id', 'last_id', 'has_more'],
  'vector_store.search_results.page': ['object', 'search_query', 'data', 'has_more', 'next_page'],
  'vector_store.file_content.page': ['object', 'data', 'has_more', 'next_page'],
  error: ['error', 'detail'],
} as const;
type Kind = keyof typeof KEYS;

const sorted = (keys: readonly string[]): string[] => [...keys].sort();
const keysOf = (value: unknown): string[] => sorted(Object.keys(value as object));

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ attachDelayMs: 0 });
});
afterAll(() => emu.close());
afterEach(() => expect(emu.log.failures).toEqual([]));

const newKey = (): string => `sk-${randomUUID()}`;

/** One account with one of everything: a named and an unnamed store, a File in each, and a batch. */
async function fixture() {
  const apiKey = newKey();
  const client = emu.client(apiKey);
  const file = await client.files.create({
    file: await toFile(Buffer.from('refund policy: 30 days'), 'refunds.md'),
    purpose: 'assistants',
  });
  const named = await client.vectorStores.create({ name: 'Support KB', file_ids: [file.id] });
  const unnamed = await client.vectorStores.create({});
  const batch = await client.vectorStores.fileBatches.create(unnamed.id, { file_ids: [file.id] });
  emu.emulator.settleAttachments();
  return { apiKey, client, file, named, unnamed, batch };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

interface RouteCase {
  kind: Kind;
  /** The element kind of a list. */
  item?: Kind;
  sdk(f: Fixture): Promise<unknown>;
  raw: (f: Fixture) => [method: string, path: string, body?: unknown];
}

/** Every route of the emulator but the two with bodies the SDK cannot read as JSON (see below). */
const CASES: Record<string, RouteCase> = {
  'POST /v1/vector_stores': {
    kind: 'vector_store',
    sdk: (f) => f.client.vectorStores.create({ name: 'x' }),
    raw: () => ['POST', '/vector_stores', {}],
  },
  'GET /v1/vector_stores': {
    kind: 'list',
    item: 'vector_store',
    sdk: (f) => f.client.vectorStores.list().then((page) => page.getPaginatedItems() && rawPage(page)),
    raw: () => ['GET', '/vector_stores'],
  },
  'GET /v1/vector_stores/{vector_store_id}': {
    kind: 'vector_store',
    sdk: (f) => f.client.vectorStores.retrieve(f.unnamed.id),
    raw: (f) => ['GET', `/vector_stores/${f.unnamed.id}`],
  },
  'POST /v1/vector_stores/{vector_store_id}': {
    kind: 'vector_store',
    sdk: (f) => f.client.vectorStores.update(f.named.id, { metadata: { team: 'cx' } }),
    raw: (f) => ['POST', `/vector_stores/${f.unnamed.id}`, {}],
  },
  'DELETE /v1/vector_stores/{vector_store_id}': {
    kind: 'deleted',
    sdk: (f) => f.client.vectorStores.create({}).then((s) => f.client.vectorStores.delete(s.id)),
    raw: () => ['DELETE', '/vector_stores/{new store}'],
  },
  'POST /v1/vector_stores/{vector_store_id}/search': {
    kind: 'vector_store.search_results.page',
    sdk: (f) => f.client.vectorStores.search(f.named.id, { query: 'refund' }).then(rawPage),
    raw: (f) => ['POST', `/vector_stores/${f.named.id}/search`, { query: 'refund' }],
  },
  'POST /v1/vector_stores/{vector_store_id}/files': {
    kind: 'vector_store.file',
    sdk: (f) => f.client.vectorStores.files.create(f.named.id, { file_id: f.file.id }),
    raw: (f) => ['POST', `/vector_stores/${f.named.id}/files`, { file_id: f.file.id }],
  },
  'GET /v1/vector_stores/{vector_store_id}/files': {
    kind: 'list',
    item: 'vector_store.file',
    sdk: (f) => f.client.vectorStores.files.list(f.named.id).then(rawPage),
    raw: (f) => ['GET', `/vector_stores/${f.named.id}/files`],
  },
  'GET /v1/vector_stores/{vector_store_id}/files/{file_id}': {
    kind: 'vector_store.file',
    sdk: (f) => f.client.vectorStores.files.retrieve(f.file.id, { vector_store_id: f.named.id }),
    raw: (f) => ['GET', `/vector_stores/${f.named.id}/files/${f.file.id}`],
  },
  'POST /v1/vector_stores/{vector_store_id}/files/{file_id}': {
    kind: 'vector_store.file',
    sdk: (f) =>
      f.client.vectorStores.files.update(f.file.id, { vector_store_id: f.named.id, attributes: { a: 1 } }),
    raw: (f) => ['POST', `/vector_stores/${f.named.id}/files/${f.file.id}`, { attributes: {} }],
  },
  'DELETE /v1/vector_stores/{vector_store_id}/files/{file_id}': {
    kind: 'deleted',
    sdk: (f) => f.client.vectorStores.files.delete(f.file.id, { vector_store_id: f.named.id }),
    raw: (f) => ['DELETE', `/vector_stores/${f.unnamed.id}/files/${f.file.id}`],
  },
  'GET /v1/vector_stores/{vector_store_id}/files/{file_id}/content': {
    kind: 'vector_store.file_content.page',
    sdk: (f) => f.client.vectorStores.files.content(f.file.id, { vector_store_id: f.named.id }).then(rawPage),
    raw: (f) => ['GET', `/vector_stores/${f.named.id}/files/${f.file.id}/content`],
  },
  'POST /v1/vector_stores/{vector_store_id}/file_batches': {
    kind: 'vector_store.file_batch',
    sdk: (f) => f.client.vectorStores.fileBatches.create(f.named.id, { file_ids: [f.file.id] }),
    raw: (f) => ['POST', `/vector_stores/${f.named.id}/file_batches`, { file_ids: [f.file.id] }],
  },
  'GET /v1/vector_stores/{vector_store_id}/file_batches/{batch_id}': {
    kind: 'vector_store.file_batch',
    sdk: (f) => f.client.vectorStores.fileBatches.retrieve(f.batch.id, { vector_store_id: f.unnamed.id }),
    raw: (f) => ['GET', `/vector_stores/${f.unnamed.id}/file_batches/${f.batch.id}`],
  },
  'POST /v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel': {
    kind: 'vector_store.file_batch',
    sdk: async (f) => {
      emu.emulator.setAttachDelayMs(60_000);
      const batch = await f.client.vectorStores.fileBatches.create(f.unnamed.id, { file_ids: [f.file.id] });
      emu.emulator.setAttachDelayMs(0);
      return f.client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: f.unnamed.id });
    },
    raw: () => ['POST', '{new batch}/cancel'],
  },
  'GET /v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/files': {
    kind: 'list',
    item: 'vector_store.file',
    sdk: (f) =>
      f.client.vectorStores.fileBatches
        .listFiles(f.batch.id, { vector_store_id: f.unnamed.id })
        .then(rawPage),
    raw: (f) => ['GET', `/vector_stores/${f.unnamed.id}/file_batches/${f.batch.id}/files`],
  },
  'POST /v1/files': {
    kind: 'file',
    sdk: async (f) =>
      f.client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'user_data' }),
    raw: () => ['POST', '/files'],
  },
  'GET /v1/files': {
    kind: 'list',
    item: 'file',
    sdk: (f) => f.client.files.list().then(rawPage),
    raw: () => ['GET', '/files'],
  },
  'GET /v1/files/{file_id}': {
    kind: 'file',
    sdk: (f) => f.client.files.retrieve(f.file.id),
    raw: (f) => ['GET', `/files/${f.file.id}`],
  },
  'DELETE /v1/files/{file_id}': {
    kind: 'deleted',
    sdk: async (f) => {
      const file = await f.client.files.create({
        file: await toFile(Buffer.from('y'), 'y.txt'),
        purpose: 'assistants',
      });
      return f.client.files.delete(file.id);
    },
    raw: () => ['DELETE', '/files/{new file}'],
  },
};

/** A CursorPage or Page as the server sent it (the SDK keeps the body on the page). */
function rawPage(page: unknown): unknown {
  const body = (page as { body?: unknown }).body;
  return body ?? page;
}

/** The raw request of a case, creating what it deletes or cancels first. */
async function rawCall(f: Fixture, routeCase: RouteCase) {
  const [method, path, body] = routeCase.raw(f);
  const options = { apiKey: f.apiKey, ...(body === undefined ? {} : { body }) };
  if (path === '/vector_stores/{new store}') {
    const store = await f.client.vectorStores.create({});
    return emu.raw(method, `/vector_stores/${store.id}`, options);
  }
  if (path === '{new batch}/cancel') {
    emu.emulator.setAttachDelayMs(60_000);
    const batch = await f.client.vectorStores.fileBatches.create(f.named.id, { file_ids: [f.file.id] });
    emu.emulator.setAttachDelayMs(0);
    return emu.raw(method, `/vector_stores/${f.named.id}/file_batches/${batch.id}/cancel`, options);
  }
  if (path === '/files/{new file}') {
    const file = await f.client.files.create({
      file: await toFile(Buffer.from('z'), 'z.txt'),
      purpose: 'assistants',
    });
    return emu.raw(method, `/files/${file.id}`, options);
  }
  if (method === 'POST' && path === '/files') {
    const form = new FormData();
    form.set('purpose', 'assistants');
    form.set('file', new Blob(['hello']), 'hello.txt');
    const response = await fetch(`${emu.url}/files`, {
      method,
      headers: { authorization: `Bearer ${f.apiKey}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
  }
  return emu.raw(method, path, options);
}

function expectShape(kind: Kind, item: Kind | undefined, body: unknown): void {
  expect(keysOf(body), kind).toEqual(sorted(KEYS[kind]));
  if (item !== undefined) {
    const data = (body as { data: unknown[] }).data;
    expect(data.length, `${kind} of ${item} is not empty`).toBeGreaterThan(0);
    for (const element of data) expect(keysOf(element), item).toEqual(sorted(KEYS[item]));
  }
  if (kind === 'deleted') {
    expect((body as { object: string }).object).toMatch(
      /^(vector_store\.deleted|vector_store\.file\.deleted|file)$/,
    );
  } else if (kind !== 'list' && kind !== 'error') {
    expect((body as { object: string }).object).toBe(kind);
  }
}

describe('golden response shapes', () => {
  it('covers every route the emulator serves', () => {
    const served = ROUTES.map((route) => `${route.method} ${route.path}`).sort();
    const covered = [...Object.keys(CASES), 'GET /v1/files/{file_id}/content'].sort();
    expect(covered).toEqual(served);
  });

  it.each(Object.entries(CASES))(
    '%s: exactly the keys OpenAI sends, through the SDK and plain fetch',
    async (_, routeCase) => {
      const f = await fixture();
      expectShape(routeCase.kind, routeCase.item, await routeCase.sdk(f));
      const raw = await rawCall(f, routeCase);
      expect(raw.status).toBe(200);
      expectShape(routeCase.kind, routeCase.item, raw.body);
      expect(raw.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      expect(raw.headers.get('openai-version')).toBe('2020-10-01');
      expect(raw.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    },
  );

  it('serves a File content as its bytes, with the same headers', async () => {
    const f = await fixture();
    const response = await f.client.files.content(f.file.id);
    expect(await response.text()).toBe('refund policy: 30 days');
    expect(response.headers.get('openai-version')).toBe('2020-10-01');
  });

  it('answers nulls, not missing keys, and OpenAI defaults', async () => {
    const f = await fixture();
    const viaSdk = await f.client.vectorStores.retrieve(f.unnamed.id);
    const viaFetch = (await emu.raw('GET', `/vector_stores/${f.unnamed.id}`, { apiKey: f.apiKey })).body;
    for (const store of [viaSdk, viaFetch]) {
      expect(store).toMatchObject({
        name: null,
        description: null,
        expires_after: null,
        expires_at: null,
        metadata: {},
      });
    }
    expect(await f.client.files.retrieve(f.file.id)).toMatchObject({
      expires_at: null,
      status_details: null,
    });
    const expiring = await f.client.vectorStores.create({
      name: 'week',
      expires_after: { anchor: 'last_active_at', days: 7 },
    });
    expect(expiring.expires_after).toEqual({ anchor: 'last_active_at', days: 7 });
    expect(expiring.expires_at).toBe(expiring.last_active_at! + 7 * 86_400);
    expect(f.batch.object).toBe('vector_store.file_batch');
    const empty = await emu.raw('GET', '/vector_stores', { apiKey: newKey() });
    expect(empty.body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  it('makes ids in the forms OpenAI uses today', async () => {
    const f = await fixture();
    expect(f.named.id).toMatch(/^vs_[0-9a-f]{32}$/);
    expect(f.batch.id).toMatch(/^vsfb_[0-9a-f]{32}$/);
    expect(f.file.id).toMatch(/^file-[A-Za-z0-9]{22}$/);
  });
});

describe('golden error bodies', () => {
  it('answers a missing object with 404 naming the path parameter, and a detail object', async () => {
    const apiKey = newKey();
    for (const method of ['GET', 'DELETE']) {
      const missing = await emu.raw(method, '/files/fake_id', { apiKey });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        error: {
          message: 'No such File object: fake_id',
          type: 'invalid_request_error',
          param: 'id',
          code: null,
        },
        detail: { message: 'No such File object: fake_id', code: null },
      });
    }
    expect((await emu.raw('GET', '/files/fake_id/content', { apiKey })).body).toMatchObject({
      error: { param: 'id' },
    });
    const store = await emu.raw('GET', '/vector_stores/vs_missing', { apiKey });
    expect(store.status).toBe(404);
    expect(keysOf(store.body)).toEqual(sorted(KEYS.error));
    expect(store.body).toMatchObject({ error: { param: 'vector_store_id', code: null } });
    // Through the SDK: the same status, class and param.
    const error = await emu
      .client(apiKey)
      .files.retrieve('fake_id')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('id');
  });

  it('answers an id of the wrong form with 400, not 404', async () => {
    const f = await fixture();
    const batch = await emu.raw('GET', `/vector_stores/${f.named.id}/file_batches/batch_123`, {
      apiKey: f.apiKey,
    });
    expect(batch.status).toBe(400);
    expect(batch.body).toMatchObject({
      error: {
        message: "Invalid 'batch_id': 'batch_123'. Expected an ID that begins with 'vsfb_'.",
        type: 'invalid_request_error',
        param: 'batch_id',
      },
    });
    const store = await emu.raw('GET', '/vector_stores/vs%20bad!', { apiKey: f.apiKey });
    expect(store.status).toBe(400);
    expect(store.body).toMatchObject({
      error: {
        message:
          "Invalid 'vector_store_id': 'vs bad!'. Expected an ID that contains letters, numbers, underscores, or dashes, but this value contained additional characters.",
        param: 'vector_store_id',
      },
    });
    const error = await f.client.vectorStores.retrieve('vs bad!').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('refuses an upload purpose in the words OpenAI uses, with code null', async () => {
    const apiKey = newKey();
    const form = new FormData();
    form.set('purpose', 'world_domination');
    form.set('file', new Blob(['x']), 'x.png');
    const response = await fetch(`${emu.url}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: form,
    });
    expect(response.status).toBe(400);
    const message =
      "'world_domination' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'] - 'purpose'";
    expect(await response.json()).toEqual({
      error: { message, type: 'invalid_request_error', param: 'purpose', code: null },
      detail: { message, code: null },
    });
  });
});

describe('API keys', () => {
  const refusal = (masked: string) => ({
    error: {
      message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  });

  it('answers a key that is neither sk-… nor registered with 401 invalid_api_key and the key masked', async () => {
    const unknown = await emu.raw('GET', '/vector_stores', { apiKey: 'acct-0123456789abcdef' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(refusal('acct-012*********cdef'));
    const error = await emu
      .client('acct-0123456789abcdef')
      .vectorStores.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('accepts a key once the control API registered it, and refuses a revoked key from then on', async () => {
    await emu.control('POST', 'keys', { apiKey: 'acct-registered-key' });
    expect((await emu.raw('GET', '/vector_stores', { apiKey: 'acct-registered-key' })).status).toBe(200);

    const apiKey = newKey();
    const client = emu.client(apiKey);
    await client.vectorStores.create({ name: 'kept' });
    await emu.control('POST', 'keys/revoke', { apiKey });
    const revoked = await emu.raw('GET', '/vector_stores', { apiKey });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual(
      refusal(`${apiKey.slice(0, 8)}${'*'.repeat(apiKey.length - 12)}${apiKey.slice(-4)}`),
    );
    await expect(client.files.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    // Seeding its data again does not bring it back; registering it does.
    await emu.control('POST', 'seed', { apiKey, stores: 1 });
    expect((await emu.raw('GET', '/vector_stores', { apiKey })).status).toBe(401);
    await emu.control('POST', 'keys', { apiKey });
    expect((await client.vectorStores.list()).data.map((store) => store.name).sort()).toEqual([
      'Seeded store 1',
      'kept',
    ]);
  });
});

describe.skipIf(
  !existsSync(new URL('../../../../shared/openai/recorded/openai-dotnet.json', import.meta.url)),
)('the recorded traffic', () => {
  it('has exactly the golden key sets above for every object it holds', () => {
    const recording = JSON.parse(
      readFileSync(new URL('../../../../shared/openai/recorded/openai-dotnet.json', import.meta.url), 'utf8'),
    ) as { scenarios: Array<{ exchanges: Array<{ body?: unknown }> }> };
    const seen = new Map<string, Set<string>>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (typeof node === 'object' && node !== null) {
        const object = (node as { object?: unknown }).object;
        if (typeof object === 'string') {
          const kind = 'deleted' in node ? 'deleted' : object;
          const keys = seen.get(kind) ?? new Set<string>();
          keys.add(keysOf(node).join(','));
          seen.set(kind, keys);
        }
        Object.values(node).forEach(visit);
      }
    };
    for (const scenario of recording.scenarios)
      for (const exchange of scenario.exchanges) visit(exchange.body);
    const legacyBatchListing = sorted([
      'id',
      'object',
      'created_at',
      'vector_store_id',
      'status',
      'last_error',
    ]);
    for (const [kind, shapes] of seen) {
      const golden = sorted(KEYS[kind as Kind]).join(',');
      // Batch listings once left out usage_bytes, chunking_strategy and attributes (Sept 2025).
      const allowed = kind === 'vector_store.file' ? [golden, legacyBatchListing.join(',')] : [golden];
      for (const shape of shapes) expect(allowed, kind).toContain(shape);
    }
    expect([...seen.keys()].sort()).toEqual(
      ['deleted', 'file', 'list', 'vector_store', 'vector_store.file', 'vector_store.file_batch'].sort(),
    );
  });
});
