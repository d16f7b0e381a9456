import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { asMirrorWriter, MIRROR_WRITE_REFUSED } from '../../src/db/mirror-writer.ts';
import { ExpiryService } from '../../src/services/expiry.service.ts';
import { createAccount, createVectorStore } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let accountId: string;
let mirror: VectorStoreEntity;
let local: VectorStoreEntity;

const refused = expect.objectContaining({ code: MIRROR_WRITE_REFUSED });
const nameOf = async (id: string) =>
  (await database.dataSource.query(`SELECT name FROM vector_store WHERE id = $1`, [id]))[0]?.name;

beforeAll(async () => {
  database = await createTestDatabase();
  accountId = (await createAccount(database.dataSource)).id;
  mirror = await createVectorStore(database.dataSource, accountId, { source: 'cache', name: 'Remote' });
  local = await createVectorStore(database.dataSource, accountId, { name: 'Local' });
});

afterAll(() => database.drop());

describe('the mirror rule in PostgreSQL', () => {
  it('refuses a raw UPDATE of a mirror from application code', async () => {
    await expect(
      database.dataSource.query(`UPDATE vector_store SET name = 'Edited' WHERE id = $1`, [mirror.id]),
    ).rejects.toEqual(refused);
    expect(await nameOf(mirror.id)).toBe('Remote');
  });

  it.each([
    ['status', `status = 'expired'`],
    ['metadata', `metadata = '{"a":"b"}'`],
    ['expiration', `expiration_days = 3`],
    ['source (turning it local)', `source = 'primary'`],
  ])('refuses a change of its %s', async (_, assignment) => {
    await expect(
      database.dataSource.query(`UPDATE vector_store SET ${assignment} WHERE id = $1`, [mirror.id]),
    ).rejects.toEqual(refused);
  });

  it('refuses inserting a mirror row, or deleting one, outside the sync and the deletion queue', async () => {
    await expect(
      database.dataSource.query(
        `INSERT INTO vector_store (account_id, backend, source, external_id, name) VALUES ($1, 'openai', 'cache', 'vs_x', 'x')`,
        [accountId],
      ),
    ).rejects.toEqual(refused);
    await expect(
      database.dataSource.query(`DELETE FROM vector_store WHERE id = $1`, [mirror.id]),
    ).rejects.toEqual(refused);
    expect(await nameOf(mirror.id)).toBe('Remote');
  });

  it('refuses turning a local store into a mirror', async () => {
    await expect(
      database.dataSource.query(`UPDATE vector_store SET source = 'cache' WHERE id = $1`, [local.id]),
    ).rejects.toEqual(refused);
  });

  it('leaves local stores and bookkeeping columns free', async () => {
    await database.dataSource.query(`UPDATE vector_store SET name = 'Local 2' WHERE id = $1`, [local.id]);
    expect(await nameOf(local.id)).toBe('Local 2');
    await database.dataSource.query(`UPDATE vector_store SET synced_at = now() WHERE id = $1`, [mirror.id]);
  });

  it('admits the sync and the deletion queue when their transaction declares itself', async () => {
    await asMirrorWriter(database.dataSource, 'sync', (m) =>
      m.query(`UPDATE vector_store SET name = 'Synced' WHERE id = $1`, [mirror.id]),
    );
    expect(await nameOf(mirror.id)).toBe('Synced');
    // The declaration ends with its transaction: the same connection is refused again afterwards.
    const runner = database.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SET LOCAL vs_align.mirror_writer = 'deletion'`);
      await runner.query(`UPDATE vector_store SET status = 'deleting' WHERE id = $1`, [mirror.id]);
      await runner.commitTransaction();
      await expect(
        runner.query(`UPDATE vector_store SET status = 'completed' WHERE id = $1`, [mirror.id]),
      ).rejects.toEqual(refused);
    } finally {
      await runner.release();
    }
  });

  it('refuses any other declared role', async () => {
    await expect(
      database.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL vs_align.mirror_writer = 'expiry'`);
        await m.query(`UPDATE vector_store SET name = 'No' WHERE id = $1`, [mirror.id]);
      }),
    ).rejects.toEqual(refused);
  });

  it('keeps the expiry job off mirrors even if its filter were wrong', async () => {
    // The job itself filters on primary stores; the trigger is the second line.
    await expect(
      database.dataSource.query(`UPDATE vector_store SET status = 'expired' WHERE source = 'cache'`),
    ).rejects.toEqual(refused);
    expect(await new ExpiryService(database.dataSource).expireDuePrimaryStores(new Date())).toBe(0);
  });
});
