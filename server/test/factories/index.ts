import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { asMirrorWriter } from '../../src/db/mirror-writer.ts';
import { AccountEntity } from '../../src/db/entities/account.entity.ts';
import type { Role } from '../../src/db/entities/api-token.entity.ts';
import { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { AccountService } from '../../src/services/account.service.ts';
import { SecretBox } from '../../src/auth/secret-box.ts';

export const testSecrets = new SecretBox('test-secret-test-secret-test-secret');

export async function createAccount(
  db: DataSource,
  overrides: Partial<AccountEntity> = {},
): Promise<AccountEntity> {
  return db.getRepository(AccountEntity).save({ name: `Account ${randomUUID().slice(0, 8)}`, ...overrides });
}

export async function createToken(db: DataSource, accountId: string, role: Role = 'ADMIN'): Promise<string> {
  return new AccountService(db, testSecrets).issueToken(accountId, role, `test ${role}`);
}

let counter = 0;

/** A local store by default; pass `{ source: 'cache', backend: 'openai' }` for a mirror. */
export async function createVectorStore(
  db: DataSource,
  accountId: string,
  overrides: Partial<VectorStoreEntity> = {},
): Promise<VectorStoreEntity> {
  counter += 1;
  const mirror = overrides.source === 'cache';
  // A mirror row is written as the sync would write it: the database refuses it from anyone else.
  if (mirror)
    return asMirrorWriter(db, 'sync', (manager) => saveStore(manager.getRepository(VectorStoreEntity)));
  return saveStore(db.getRepository(VectorStoreEntity));
  function saveStore(repository: Repository<VectorStoreEntity>) {
    return repository.save({
      accountId,
      name: `Store ${counter}`,
      backend: mirror ? 'openai' : 'local',
      source: 'primary',
      externalId: mirror ? `vs_${randomUUID().replace(/-/g, '')}` : null,
      status: 'completed',
      lastActiveAt: new Date(),
      ...overrides,
    });
  }
}
