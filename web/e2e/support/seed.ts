import type { PgClient } from './db.ts';

/**
 * The stores the read-only specs see (the "read" project runs before any spec changes data). They are
 * written straight into the tables, so every kind and state is there without a sync:
 * OpenAI mirrors (`source = cache`, `backend = openai`, a `vs_…` id) and local stores, in the default
 * account. Names are unique so specs can find rows by name.
 */
export interface SeedStore {
  name: string;
  mirror: boolean;
  status: 'in_progress' | 'completed' | 'expired' | 'deleting';
  expirationDays: number | null;
  /** Hours since the store was last active. */
  idleHours: number;
  usageBytes: number;
  files: { completed: number; failed: number; inProgress: number; cancelled: number };
  description?: string;
  metadata?: Record<string, string>;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

export const SEED_STORES: SeedStore[] = [
  {
    name: 'Support knowledge base',
    mirror: true,
    status: 'completed',
    expirationDays: 30,
    idleHours: 26,
    usageBytes: 1.7 * GB,
    files: { completed: 412, failed: 3, inProgress: 0, cancelled: 1 },
    description: 'Help-centre articles and macros, mirrored from the support project.',
    metadata: { team: 'support', env: 'prod' },
  },
  {
    name: 'Contracts archive',
    mirror: true,
    status: 'expired',
    expirationDays: 7,
    idleHours: 24 * 9,
    usageBytes: 640 * MB,
    files: { completed: 96, failed: 0, inProgress: 0, cancelled: 0 },
  },
  {
    name: 'Release notes',
    mirror: false,
    status: 'completed',
    expirationDays: null,
    idleHours: 3,
    usageBytes: 18.4 * MB,
    files: { completed: 57, failed: 0, inProgress: 0, cancelled: 0 },
    description: 'Product release notes, edited here.',
  },
  {
    name: 'Onboarding drafts',
    mirror: false,
    status: 'in_progress',
    expirationDays: 3,
    idleHours: 30,
    usageBytes: 2.2 * MB,
    files: { completed: 8, failed: 1, inProgress: 4, cancelled: 0 },
  },
  {
    name: 'Legacy FAQ',
    mirror: true,
    status: 'deleting',
    expirationDays: 14,
    idleHours: 24 * 5,
    usageBytes: 95 * MB,
    files: { completed: 40, failed: 0, inProgress: 0, cancelled: 0 },
  },
];

// Enough plain stores on top to need a second page (20 per page).
for (let i = 1; i <= 20; i += 1) {
  const mirror = i % 2 === 0;
  SEED_STORES.push({
    name: `${mirror ? 'Mirror' : 'Local'} dataset ${String(i).padStart(2, '0')}`,
    mirror,
    status: 'completed',
    expirationDays: i % 3 === 0 ? null : 30 + i,
    idleHours: i * 5,
    usageBytes: i * 7.3 * MB,
    files: { completed: i * 3, failed: 0, inProgress: 0, cancelled: 0 },
  });
}

export async function seedStores(client: PgClient): Promise<void> {
  const account = await client.query<{ id: string }>('SELECT id FROM account ORDER BY created_at LIMIT 1');
  const accountId = account.rows[0]?.id;
  if (!accountId) throw new Error('The server created no default account');
  const now = Date.now();
  // Mirror rows are written as the sync writes them: the database refuses them from anyone else.
  await client.query('BEGIN');
  await client.query(`SET LOCAL vs_align.mirror_writer = 'sync'`);
  for (const [index, store] of SEED_STORES.entries()) {
    const lastActive = new Date(now - store.idleHours * 3_600_000);
    const expiresAt =
      store.expirationDays === null
        ? null
        : new Date(lastActive.getTime() + store.expirationDays * 86_400_000);
    const total = store.files.completed + store.files.failed + store.files.inProgress + store.files.cancelled;
    // Distinct creation times keep the default order (newest first) predictable: the first store is newest.
    const createdAt = new Date(now - (index + 1) * 3_600_000);
    await client.query(
      `INSERT INTO vector_store (account_id, backend, source, external_id, name, description, status,
         expiration_days, expires_at, last_active_at, usage_bytes, file_count_in_progress, file_count_completed,
         file_count_failed, file_count_cancelled, file_count_total, metadata, synced_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
      [
        accountId,
        store.mirror ? 'openai' : 'local',
        store.mirror ? 'cache' : 'primary',
        store.mirror ? `vs_e2e${String(index).padStart(4, '0')}abcdef` : null,
        store.name,
        store.description ?? null,
        store.status,
        store.expirationDays,
        expiresAt,
        lastActive,
        Math.round(store.usageBytes),
        store.files.inProgress,
        store.files.completed,
        store.files.failed,
        store.files.cancelled,
        total,
        JSON.stringify(store.metadata ?? {}),
        store.mirror ? new Date(now - 12 * 60_000) : null,
        createdAt,
      ],
    );
  }
  await client.query('COMMIT');
}
