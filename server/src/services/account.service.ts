import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { SecretDecryptionError, type SecretBox } from '../auth/secret-box.ts';
import { generateToken, hashToken } from '../auth/token.ts';
import { AccountEntity } from '../db/entities/account.entity.ts';
import { ApiTokenEntity, type Role } from '../db/entities/api-token.entity.ts';
import { PreparedStatements } from '../db/prepared-statements.ts';
import { isUuid } from './ids.ts';

export interface OpenAIConnection {
  apiKey: string;
  baseURL: string | null;
  project: string | null;
}

export interface Principal {
  accountId: string;
  role: Role;
  tokenId: string;
}

export interface NewAccount {
  name: string;
  openaiApiKey?: string | null;
  openaiBaseUrl?: string | null;
  openaiProject?: string | null;
  syncSchedule?: string | null;
}

/** Accounts, their tokens and their OpenAI connection. */
export class AccountService {
  private readonly statements: PreparedStatements;

  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
  ) {
    this.statements = new PreparedStatements(db);
  }

  async createAccount(input: NewAccount): Promise<AccountEntity> {
    // The id is chosen here: the sealed key is bound to it (associated data).
    const id = randomUUID();
    const account = this.db.getRepository(AccountEntity).create({
      id,
      name: input.name,
      openaiApiKeyEncrypted: input.openaiApiKey ? this.secrets.encrypt(input.openaiApiKey, id) : null,
      openaiBaseUrl: input.openaiBaseUrl ?? null,
      openaiProject: input.openaiProject ?? null,
      ...(input.syncSchedule ? { syncSchedule: input.syncSchedule } : {}),
    });
    return this.db.getRepository(AccountEntity).save(account);
  }

  async setOpenAIConnection(accountId: string, connection: OpenAIConnection): Promise<void> {
    const repository = this.db.getRepository(AccountEntity);
    const current = await repository.findOneBy({ id: accountId });
    let previous: OpenAIConnection | null = null;
    try {
      previous = current ? this.openaiConnection(current) : null;
    } catch {
      // Encrypted with another secret: unreadable, so it counts as changed.
    }
    // A refused key stays refused; another key (or another server) deserves a try.
    const changed = previous?.apiKey !== connection.apiKey || previous.baseURL !== connection.baseURL;
    await repository.update(accountId, {
      openaiApiKeyEncrypted: this.secrets.encrypt(connection.apiKey, accountId),
      openaiBaseUrl: connection.baseURL,
      openaiProject: connection.project,
      ...(changed ? { openaiKeyRejectedAt: null, openaiKeyRejectionCode: null } : {}),
    });
  }

  /**
   * The decrypted connection, or null when the account has no key. Never put its result in a response.
   * Throws SecretDecryptionError when the key does not open (another SECRET_KEY, or a swapped row).
   */
  openaiConnection(account: AccountEntity): OpenAIConnection | null {
    if (!account.openaiApiKeyEncrypted) return null;
    return {
      apiKey: this.secrets.decrypt(account.openaiApiKeyEncrypted, account.id),
      baseURL: account.openaiBaseUrl,
      project: account.openaiProject,
    };
  }

  /**
   * Seals every stored OpenAI key again with the current secret (and its account as associated data).
   * The box must also hold the old secret. All or nothing: a key that does not open stops the whole
   * rewrite, naming its account.
   */
  async resealOpenAIKeys(): Promise<{ resealed: number; current: number }> {
    return this.db.transaction(async (manager) => {
      const rows: Array<{ id: string; sealed: string }> = await manager.query(
        `SELECT id, openai_api_key_encrypted AS sealed FROM account
          WHERE openai_api_key_encrypted IS NOT NULL ORDER BY id FOR UPDATE`,
      );
      let resealed = 0;
      for (const row of rows) {
        if (this.secrets.isCurrent(row.sealed)) continue;
        let plaintext: string;
        try {
          plaintext = this.secrets.decrypt(row.sealed, row.id);
        } catch (error) {
          throw new SecretDecryptionError(`Account ${row.id}: ${(error as Error).message}`);
        }
        await manager.query(`UPDATE account SET openai_api_key_encrypted = $2 WHERE id = $1`, [
          row.id,
          this.secrets.encrypt(plaintext, row.id),
        ]);
        resealed += 1;
      }
      return { resealed, current: rows.length - resealed };
    });
  }

  async findAccount(id: string): Promise<AccountEntity | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(AccountEntity).findOneBy({ id });
  }

  async listAccounts(): Promise<AccountEntity[]> {
    return this.db.getRepository(AccountEntity).find({ order: { createdAt: 'ASC' } });
  }

  /** Issues a token and returns it in clear, the only time it is ever seen. */
  async issueToken(accountId: string, role: Role, name: string, token = generateToken()): Promise<string> {
    return (await this.issueTokenWithId(accountId, role, name, token)).token;
  }

  /** The same, with the new token's id (for the audit log). */
  async issueTokenWithId(
    accountId: string,
    role: Role,
    name: string,
    token = generateToken(),
  ): Promise<{ id: string; token: string }> {
    const result = await this.db
      .getRepository(ApiTokenEntity)
      .insert({ accountId, role, name, tokenHash: hashToken(token) });
    return { id: String(result.identifiers[0]!.id), token };
  }

  /** The account a token belongs to, revoked or not; null when there is no such token. */
  async accountOfToken(tokenId: string): Promise<string | null> {
    if (!isUuid(tokenId)) return null;
    const token = await this.db.getRepository(ApiTokenEntity).findOneBy({ id: tokenId });
    return token?.accountId ?? null;
  }

  async revokeToken(tokenId: string): Promise<boolean> {
    if (!isUuid(tokenId)) return false;
    const result = await this.db
      .getRepository(ApiTokenEntity)
      .update({ id: tokenId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  /** Which of these token ids are revoked (for ending their open subscriptions). */
  async revokedAmong(tokenIds: string[]): Promise<string[]> {
    if (tokenIds.length === 0) return [];
    const rows = await this.statements.rows<{ id: string }>(
      `SELECT id FROM api_token WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL`,
      [tokenIds],
    );
    return rows.map((row) => row.id);
  }

  async listTokens(accountId: string): Promise<ApiTokenEntity[]> {
    return this.db.getRepository(ApiTokenEntity).find({ where: { accountId }, order: { createdAt: 'ASC' } });
  }

  /**
   * The principal of an active token, or null. Runs on every request, hence a prepared statement.
   * Not cached: a token revoked by the CLI (another process) must be refused on the next request.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const [principal] = await this.statements.rows<Principal>(
      `SELECT account_id AS "accountId", role, id AS "tokenId" FROM api_token
        WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hashToken(token)],
    );
    return principal ?? null;
  }

  /**
   * The first start creates the default account. `ADMIN_TOKEN`, when set, is made its admin token;
   * otherwise a token is generated once and returned so the caller can print it. The default account's
   * OpenAI connection follows the environment on every start.
   */
  async ensureDefaultAccount(options: {
    adminToken: string | null;
    openai: OpenAIConnection | null;
    /** `SYNC_SCHEDULE`, when set, is the default account's schedule. */
    syncSchedule?: string | null;
  }): Promise<{ account: AccountEntity; generatedToken: string | null; created: boolean }> {
    const repo = this.db.getRepository(AccountEntity);
    let account = await repo.findOne({ where: {}, order: { createdAt: 'ASC' } });
    const firstStart = account === null;
    account ??= await this.createAccount({ name: 'Default' });
    if (options.openai) await this.setOpenAIConnection(account.id, options.openai);
    if (options.syncSchedule) await repo.update(account.id, { syncSchedule: options.syncSchedule });

    let generatedToken: string | null = null;
    if (options.adminToken) {
      const known = await this.db
        .getRepository(ApiTokenEntity)
        .findOneBy({ tokenHash: hashToken(options.adminToken) });
      if (!known) await this.issueToken(account.id, 'ADMIN', 'ADMIN_TOKEN', options.adminToken);
    } else if (firstStart) {
      generatedToken = await this.issueToken(account.id, 'ADMIN', 'generated at first start');
    }
    return { account: (await repo.findOneBy({ id: account.id }))!, generatedToken, created: firstStart };
  }
}
