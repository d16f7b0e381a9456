import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { AuditRetentionJob } from '../../src/jobs/audit-retention.job.ts';
import { AuditService } from '../../src/services/audit.service.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { streamedUpload } from '../support/multipart.ts';

const UPLOAD = `mutation($input: UploadVectorStoreFileInput!) {
  uploadVectorStoreFile(input: $input) { __typename ... on VectorStoreFilePayload { vectorStoreFile { file { id } } } }
}`;

const AUDIT = `query($first: Int, $after: String, $actor: ID, $kind: String, $target: ID, $since: DateTime, $until: DateTime) {
  auditEvents(first: $first, after: $after, actorTokenId: $actor, kind: $kind, targetId: $target, since: $since, until: $until) {
    pageInfo { hasNextPage endCursor }
    edges { node { id occurredAt kind outcome errorType summary actor { kind tokenId name } targets { type id localId } } }
  }
}`;

let database: TestDatabase;
let dataDir: string;
let api: TestApp;
let accountId: string;
let otherAccountId: string;
const tokens = { admin: '', viewer: '', otherAdmin: '' };
const tokenIds = { admin: '', viewer: '', otherAdmin: '' };
let local: VectorStoreEntity;
let mirror: VectorStoreEntity;

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

async function upload(token: string, store: VectorStoreEntity, filename: string, pattern: string) {
  const { body, contentType } = streamedUpload({
    query: UPLOAD,
    variables: { input: { vectorStoreId: gid('VectorStore', store.id), file: null } },
    path: 'variables.input.file',
    filename,
    bytes: 5000,
    pattern,
  });
  const response = await api.app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': contentType,
      authorization: `Bearer ${token}`,
      'graphql-require-preflight': '1',
    },
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

/** Runs `work` and returns the audit rows it wrote. */
async function eventsOf(work: () => Promise<unknown>): Promise<Array<Record<string, any>>> {
  const before: Array<{ id: string }> = await database.dataSource.query(`SELECT id FROM audit_event`);
  await work();
  return database.dataSource.query(`SELECT * FROM audit_event WHERE NOT (id = ANY($1::uuid[]))`, [
    before.map((row) => row.id),
  ]);
}

async function auditEvents(token: string, variables: Record<string, unknown> = {}) {
  const { body } = await api.graphql<{ auditEvents: any }>(AUDIT, { token, variables });
  return body;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-audit-'));
  api = createTestApp(database, { dataDir });
  const db = database.dataSource;
  accountId = (await createAccount(db)).id;
  otherAccountId = (await createAccount(db)).id;
  tokens.admin = await createToken(db, accountId, 'ADMIN');
  tokens.viewer = await createToken(db, accountId, 'VIEWER');
  tokens.otherAdmin = await createToken(db, otherAccountId, 'ADMIN');
  for (const key of Object.keys(tokens) as Array<keyof typeof tokens>)
    tokenIds[key] = (await api.services.accounts.authenticate(tokens[key]))!.tokenId;
  local = await createVectorStore(db, accountId, { name: 'local' });
  mirror = await createVectorStore(db, accountId, { source: 'cache', name: 'mirror' });
});

afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('audit events of mutations', () => {
  it('records a change refused on a read-only mirror as REFUSED ReadOnlyMirrorError', async () => {
    const events = await eventsOf(() =>
      api.graphql('mutation($id: ID!) { updateVectorStore(input: { id: $id, name: "y" }) { __typename } }', {
        token: tokens.admin,
        variables: { id: gid('VectorStore', mirror.id) },
      }),
    );
    expect(events).toMatchObject([
      {
        account_id: accountId,
        actor_token_id: tokenIds.admin,
        kind: 'UPDATE_VECTOR_STORE',
        targets: [{ type: 'VectorStore', id: mirror.id }],
        summary: { name: 'y' },
        outcome: 'REFUSED',
        error_type: 'ReadOnlyMirrorError',
      },
    ]);
  });

  it('records an upload exactly once, with its name and size but not its content', async () => {
    const marker = 'SECRET-CONTENT-7f3a9c ';
    let answer: Awaited<ReturnType<typeof upload>> | undefined;
    const events = await eventsOf(
      async () => (answer = await upload(tokens.admin, local, 'notes.txt', marker)),
    );
    expect(answer!.json.data.uploadVectorStoreFile.__typename).toBe('VectorStoreFilePayload');
    const fileId = Buffer.from(answer!.json.data.uploadVectorStoreFile.vectorStoreFile.file.id, 'base64')
      .toString()
      .split(':')[1];
    expect(events).toMatchObject([
      {
        kind: 'UPLOAD_FILE',
        actor_token_id: tokenIds.admin,
        outcome: 'SUCCEEDED',
        summary: { filename: 'notes.txt', bytes: 5000, mimeType: 'text/plain' },
        targets: [
          { type: 'VectorStore', id: local.id },
          { type: 'FileObject', id: fileId },
        ],
      },
    ]);
    expect(Object.keys(events[0]!.summary).sort()).toEqual(['bytes', 'filename', 'mimeType']);
    expect(JSON.stringify(events)).not.toContain('SECRET-CONTENT');
  });

  it("records a viewer's upload, refused before its body is read, exactly once as REFUSED", async () => {
    let answer: Awaited<ReturnType<typeof upload>> | undefined;
    const events = await eventsOf(async () => (answer = await upload(tokens.viewer, local, 'v.txt', 'x')));
    expect(answer!.status).toBe(403);
    expect(events).toMatchObject([
      {
        account_id: accountId,
        kind: 'UPLOAD_FILE',
        actor_token_id: tokenIds.viewer,
        outcome: 'REFUSED',
        error_type: 'FORBIDDEN',
      },
    ]);
  });

  it('names the actor by its token name', async () => {
    const events = await eventsOf(() =>
      api.graphql('mutation { createVectorStore(input: { name: "named" }) { __typename } }', {
        token: tokens.admin,
      }),
    );
    expect(events).toMatchObject([
      { actor_kind: 'TOKEN', actor_name: 'test ADMIN', kind: 'CREATE_VECTOR_STORE', outcome: 'SUCCEEDED' },
    ]);
  });
});

describe('an audit event that cannot be written', () => {
  it('leaves the answer of a done change as it is', async () => {
    const db = database.dataSource;
    // A constraint every insert breaks: the table stays, so the tests after this one are unaffected.
    await db.query(`ALTER TABLE audit_event ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`);
    try {
      const { body } = await api.graphql<{ createVectorStore: { __typename: string } }>(
        'mutation { createVectorStore(input: { name: "unaudited" }) { __typename } }',
        { token: tokens.admin },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.createVectorStore.__typename).toBe('VectorStorePayload');
    } finally {
      await db.query(`ALTER TABLE audit_event DROP CONSTRAINT refuse_all`);
    }
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM vector_store WHERE name = 'unaudited'`);
    expect(n).toBe(1);
  });
});

describe('auditEvents', () => {
  it('is FORBIDDEN to a viewer', async () => {
    const body = await auditEvents(tokens.viewer);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(body.data ?? null).toBeNull();
  });

  it("lists only the admin's own account's events, newest first", async () => {
    await api.graphql('mutation { createVectorStore(input: { name: "other account" }) { __typename } }', {
      token: tokens.otherAdmin,
    });
    const mine = (await auditEvents(tokens.admin, { first: 100 })).data!.auditEvents.edges.map(
      (edge: any) => edge.node,
    );
    const theirs = (await auditEvents(tokens.otherAdmin, { first: 100 })).data!.auditEvents.edges.map(
      (edge: any) => edge.node,
    );
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(mine.every((event: any) => event.actor.tokenId !== tokenIds.otherAdmin)).toBe(true);
    expect(theirs.map((event: any) => [event.kind, event.actor.tokenId])).toEqual([
      ['CREATE_VECTOR_STORE', tokenIds.otherAdmin],
    ]);
    const times = mine.map((event: any) => event.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by actor, kind, target and time, and pages with cursors', async () => {
    const all = (await auditEvents(tokens.admin, { first: 100 })).data!.auditEvents.edges.map(
      (edge: any) => edge.node,
    );
    const byViewer = (await auditEvents(tokens.admin, { actor: tokenIds.viewer })).data!.auditEvents.edges;
    expect(byViewer.length).toBeGreaterThan(0);
    expect(byViewer.every((edge: any) => edge.node.actor.tokenId === tokenIds.viewer)).toBe(true);
    expect(byViewer.length).toBe(all.filter((e: any) => e.actor.tokenId === tokenIds.viewer).length);

    const uploads = (await auditEvents(tokens.admin, { kind: 'UPLOAD_FILE' })).data!.auditEvents.edges;
    expect(uploads.map((edge: any) => edge.node.outcome).sort()).toEqual(['REFUSED', 'SUCCEEDED']);

    const onMirror = (await auditEvents(tokens.admin, { target: gid('VectorStore', mirror.id) })).data!
      .auditEvents.edges;
    expect(onMirror.map((edge: any) => edge.node.kind)).toEqual(['UPDATE_VECTOR_STORE']);
    expect(onMirror[0].node.targets[0]).toEqual({
      type: 'VectorStore',
      id: gid('VectorStore', mirror.id),
      localId: mirror.id,
    });

    const oldest = all.at(-1);
    const untilOldest = (await auditEvents(tokens.admin, { until: oldest.occurredAt })).data!.auditEvents
      .edges;
    expect(untilOldest).toEqual([]);
    const sinceOldest = (await auditEvents(tokens.admin, { since: oldest.occurredAt, first: 100 })).data!
      .auditEvents.edges;
    expect(sinceOldest.length).toBe(all.length);

    const first = (await auditEvents(tokens.admin, { first: 2 })).data!.auditEvents;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await auditEvents(tokens.admin, { first: 2, after: first.pageInfo.endCursor })).data!
      .auditEvents;
    expect([...first.edges, ...next.edges].map((edge: any) => edge.node.id)).toEqual(
      all.slice(0, 4).map((event: any) => event.id),
    );
  });
});

describe('retention', () => {
  it('deletes events older than the retention period, and only those', async () => {
    const db = database.dataSource;
    const account = await createAccount(db);
    const now = new Date('2026-06-01T12:00:00.000Z');
    const day = 24 * 60 * 60 * 1000;
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);
    for (const daysAgo of [400, 181, 180.01, 179.99, 1, 0]) {
      await new AuditService(db, () => at(daysAgo)).record({
        accountId: account.id,
        actor: { kind: 'CLI', name: 'cli:test' },
        kind: 'ISSUE_TOKEN',
        targets: [],
        summary: { daysAgo },
        outcome: 'SUCCEEDED',
        errorType: null,
      });
    }
    const others: Array<{ n: number }> = await db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE account_id IS DISTINCT FROM $1`,
      [account.id],
    );
    const job = new AuditRetentionJob(new AuditService(db, () => now), 180, pino({ level: 'silent' }));
    expect(await job.runOnce()).toBe(3);
    const left: Array<{ summary: { daysAgo: number } }> = await db.query(
      `SELECT summary FROM audit_event WHERE account_id = $1 ORDER BY occurred_at`,
      [account.id],
    );
    expect(left.map((row) => row.summary.daysAgo)).toEqual([179.99, 1, 0]);
    // The events of the other tests are recent: untouched.
    const othersAfter: Array<{ n: number }> = await db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE account_id IS DISTINCT FROM $1`,
      [account.id],
    );
    expect(othersAfter).toEqual(others);
    expect(await job.runOnce()).toBe(0);
  });
});
