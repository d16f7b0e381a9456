import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A sealed secret that cannot be opened: wrong key, another account's row, or damaged. */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

interface Key {
  id: string;
  bytes: Buffer;
}

/** A short, public fingerprint of a server secret: names the key a value was sealed with. */
function keyOf(secret: string): Key {
  return {
    id: createHash('sha256').update(`vs-align key id\0${secret}`).digest('hex').slice(0, 12),
    bytes: createHash('sha256').update(secret).digest(),
  };
}

/**
 * Encrypts short secrets (OpenAI API keys) at rest with AES-256-GCM under the server secret.
 * `v2.<key id>.<iv>.<tag>.<body>`: the owner's id (the account) is the associated data, so a sealed
 * value copied to another row does not open; the key id says which `SECRET_KEY` sealed it. Values
 * sealed by the first version (`v1.`, no associated data) still open, and `cli secrets rekey`
 * rewrites them.
 */
export class SecretBox {
  private readonly current: Key;
  private readonly previous: Key[];

  /** `previous`: older secrets that may still open values (rekey), never used to seal. */
  constructor(secret: string, previous: string[] = []) {
    this.current = keyOf(secret);
    this.previous = previous.map(keyOf);
  }

  get keyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, ownerId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(ownerId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', this.current.id, ...[iv, cipher.getAuthTag(), body].map((p) => p.toString('base64'))].join(
      '.',
    );
  }

  /** Opens a value sealed for `ownerId`; throws SecretDecryptionError (naming no secret) otherwise. */
  decrypt(sealed: string, ownerId: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, keyId, iv, tag, body] = parts as [string, string, string, string, string];
      const key = [this.current, ...this.previous].find((k) => k.id === keyId);
      if (!key) {
        throw new SecretDecryptionError(
          `The stored OpenAI key was sealed with another SECRET_KEY (key id ${keyId}; this server has ${this.current.id}). ` +
            'Restore that SECRET_KEY, or run `cli secrets rekey` with it.',
        );
      }
      return open(key, iv, tag, body, ownerId);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, body] = parts as [string, string, string, string];
      for (const key of [this.current, ...this.previous]) {
        try {
          return open(key, iv, tag, body, null);
        } catch {
          // try the next key
        }
      }
      throw new SecretDecryptionError(
        'The stored OpenAI key cannot be decrypted with this SECRET_KEY. Restore the key it was sealed with, ' +
          'or run `cli secrets rekey` with it.',
      );
    }
    throw new SecretDecryptionError('The stored OpenAI key is not a sealed secret');
  }

  /** Whether a sealed value was sealed by this version with the current key. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.current.id}.`);
  }
}

function open(key: Key, iv: string, tag: string, body: string, ownerId: string | null): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64'));
    if (ownerId !== null) decipher.setAAD(Buffer.from(ownerId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(
      'The stored OpenAI key does not open: it was damaged, or sealed for another account',
    );
  }
}

/**
 * The configured secret, or one generated on first start and kept (mode 600) under the data directory.
 * Two processes starting on one empty `DATA_DIR` agree on one secret: the file appears whole and only
 * once (written aside, then hard-linked into place, which fails if it exists), and the loser reads it.
 */
export async function loadServerSecret(configured: string | null, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null) return existing.trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(aside, secret, { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  } finally {
    await rm(aside, { force: true });
  }
}
