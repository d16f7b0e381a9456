import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerSecret, SecretBox, SecretDecryptionError } from '../../src/auth/secret-box.ts';
import { AccountService } from '../../src/services/account.service.ts';
import { createServices } from '../../src/services/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const OLD = 'old-secret-old-secret-old-secret-old';
const NEW = 'new-secret-new-secret-new-secret-new';
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

/** A value sealed the way the first version did (`v1.`, no associated data). */
function sealV1(secret: string, plaintext: string): string {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
    .join('.');
}

describe('SecretBox', () => {
  it('binds a sealed value to its account and names the key that sealed it', () => {
    const box = new SecretBox(NEW);
    const [alice, bob] = [randomUUID(), randomUUID()];
    const sealed = box.encrypt('sk-alice', alice);
    expect(sealed.split('.').slice(0, 2)).toEqual(['v2', box.keyId]);
    expect(sealed).not.toContain('sk-alice');
    expect(box.decrypt(sealed, alice)).toBe('sk-alice');
    expect(() => box.decrypt(sealed, bob)).toThrow(SecretDecryptionError);
  });

  it('says which key is missing, and opens with the old key given as previous', () => {
    const sealed = new SecretBox(OLD).encrypt('sk-x', 'acc');
    const fresh = new SecretBox(NEW);
    expect(() => fresh.decrypt(sealed, 'acc')).toThrow(
      /sealed with another SECRET_KEY \(key id [0-9a-f]{12}/,
    );
    expect(new SecretBox(NEW, [OLD]).decrypt(sealed, 'acc')).toBe('sk-x');
  });

  it('still opens values of the first version', () => {
    expect(new SecretBox(OLD).decrypt(sealV1(OLD, 'sk-v1'), 'any')).toBe('sk-v1');
  });
});

describe('stored OpenAI keys', () => {
  it('do not open once two accounts swapped their sealed keys', async () => {
    const accounts = new AccountService(database.dataSource, new SecretBox(NEW));
    const a = await accounts.createAccount({ name: 'A', openaiApiKey: 'sk-a' });
    const b = await accounts.createAccount({ name: 'B', openaiApiKey: 'sk-b' });
    await database.dataSource.query(
      `UPDATE account SET openai_api_key_encrypted = CASE id WHEN $1::uuid THEN $4 ELSE $3 END WHERE id IN ($1, $2)`,
      [a.id, b.id, a.openaiApiKeyEncrypted, b.openaiApiKeyEncrypted],
    );
    const swapped = (await accounts.findAccount(a.id))!;
    expect(swapped.openaiApiKeyEncrypted).toBe(b.openaiApiKeyEncrypted);
    expect(() => accounts.openaiConnection(swapped)).toThrow(SecretDecryptionError);
  });

  it('end a sync FAILED, saying why, when the key cannot be decrypted', async () => {
    const sealedElsewhere = new AccountService(database.dataSource, new SecretBox(OLD));
    const account = await sealedElsewhere.createAccount({ name: 'Rotated', openaiApiKey: 'sk-rotated' });
    const services = createServices(database.dataSource, new SecretBox(NEW));
    const run = await services.sync.runSync({ accountId: account.id, trigger: 'MANUAL' });
    expect(run.status).toBe('FAILED');
    expect(run.errors.map((e) => e.message).join(' ')).toMatch(/sealed with another SECRET_KEY/);
    const [stored] = await database.dataSource.query(`SELECT status FROM sync_run WHERE id = $1`, [run.id]);
    expect(stored.status).toBe('FAILED');
  });
});

describe('the generated secret.key', () => {
  it('is created once: processes racing on an empty DATA_DIR all get the same secret', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-secret-'));
    try {
      const secrets = await Promise.all(Array.from({ length: 16 }, () => loadServerSecret(null, dataDir)));
      expect(new Set(secrets).size).toBe(1);
      const file = path.join(dataDir, 'secret.key');
      expect(await readFile(file, 'utf8')).toBe(secrets[0]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await loadServerSecret(null, dataDir)).toBe(secrets[0]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
