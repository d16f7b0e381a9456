import { badRequest } from './errors.ts';
import type { Account, FileRecord, StoreRecord } from './state.ts';
import { expectObject, integerInRange, optionalString, rejectUnknownKeys, requireKey } from './validation.ts';

/** What `POST /__emulator/seed` takes. Every count is optional (0), and each kind is separate. */
export interface SeedOptions {
  apiKey: string;
  /** Plain stores, each with `filesPerStore` completed files. */
  stores?: number;
  filesPerStore?: number;
  /** Files attached to no store. */
  orphanFiles?: number;
  /** Extra stores with an expiry policy that has not lapsed yet (expiring within days). */
  expiringStores?: number;
  /** Extra stores that have already expired: their files were removed, their Files remain. */
  expiredStores?: number;
  /** Extra Files of an unsupported type, attached (round robin) to the live stores, `failed`. */
  failedFiles?: number;
}

/** Counts of what the seed created. `stores` and `files` are totals of every kind. */
export interface SeedResult {
  stores: number;
  expiringStores: number;
  expiredStores: number;
  files: number;
  vectorStoreFiles: number;
  orphanFiles: number;
  failedFiles: number;
}

const DAY = 86_400;
const COUNT_KEYS = [
  'stores',
  'filesPerStore',
  'orphanFiles',
  'expiringStores',
  'expiredStores',
  'failedFiles',
] as const;

export function parseSeedOptions(value: unknown): SeedOptions {
  const body = expectObject(value, 'seed');
  rejectUnknownKeys(body, ['apiKey', ...COUNT_KEYS]);
  const options: SeedOptions = { apiKey: optionalString(requireKey(body, 'apiKey'), 'apiKey')! };
  for (const key of COUNT_KEYS) {
    if (body[key] !== undefined) options[key] = integerInRange(body[key], key, 0, 1_000_000);
  }
  return options;
}

const WORDS = [
  'invoice',
  'contract',
  'policy',
  'refund',
  'onboarding',
  'pricing',
  'warranty',
  'security',
  'roadmap',
];

function seededText(n: number): Buffer {
  const a = WORDS[n % WORDS.length]!;
  const b = WORDS[(n * 7 + 3) % WORDS.length]!;
  return Buffer.from(`Seeded document ${n}.\n\nIt covers ${a} and ${b} questions.\n`);
}

/**
 * Seeds one account directly in its data structures (no HTTP, no validation per object): 100,000
 * Files and 5,000 stores take well under a second. Timestamps are spread from 30 to 2 days ago in
 * creation order, expired stores first (they are the oldest).
 */
export function seedAccount(account: Account, options: SeedOptions, now: number): SeedResult {
  const {
    stores = 0,
    filesPerStore = 0,
    orphanFiles = 0,
    expiringStores = 0,
    expiredStores = 0,
    failedFiles = 0,
  } = options;
  const storeCount = stores + expiringStores + expiredStores;
  if (failedFiles > 0 && stores + expiringStores === 0) {
    throw badRequest(
      'failedFiles are attached to seeded stores: seed at least one live store.',
      'failedFiles',
    );
  }
  const objects = storeCount * (1 + filesPerStore) + orphanFiles + failedFiles;
  if (objects > 2_000_000) throw badRequest('A seed may create at most 2,000,000 objects.', null);

  // Everything is at least two days old, so an expired store's one-day policy has surely lapsed.
  const start = now - 30 * DAY;
  const step = objects === 0 ? 0 : (28 * DAY) / objects;
  let tick = 0;
  const nextTime = (): number => Math.floor(start + step * tick++);
  let fileNumber = account.files.size;

  const newFile = (extension: string, content?: Buffer): FileRecord => {
    const n = ++fileNumber;
    return account.createFile({
      filename: `seed-${String(n).padStart(6, '0')}.${extension}`,
      purpose: 'assistants',
      content: content ?? seededText(n),
      createdAt: nextTime(),
    });
  };
  const newStore = (label: string, i: number): StoreRecord => {
    const createdAt = nextTime();
    const store = account.createStore({ name: `${label} ${i + 1}`, metadata: { seeded: 'true' }, createdAt });
    for (let f = 0; f < filesPerStore; f++) {
      const file = newFile('txt');
      account.attach(store, file, { settled: true, createdAt: file.createdAt });
    }
    return store;
  };

  for (let i = 0; i < expiredStores; i++) {
    const store = newStore('Expired store', i);
    account.setExpiration(store, { anchor: 'last_active_at', days: 1 });
  }
  const live: StoreRecord[] = [];
  for (let i = 0; i < stores; i++) live.push(newStore('Seeded store', i));
  for (let i = 0; i < expiringStores; i++) {
    const store = newStore('Expiring store', i);
    // Due within the next three days, whenever the store was created.
    store.lastActiveAt = Math.max(store.createdAt, now - 7 * DAY + ((i % 72) + 1) * 3600);
    account.setExpiration(store, { anchor: 'last_active_at', days: 7 });
    live.push(store);
  }
  for (let i = 0; i < orphanFiles; i++) newFile('txt');
  for (let i = 0; i < failedFiles; i++) {
    const file = newFile('bin', Buffer.from([0, 1, 2, 3]));
    account.attach(live[i % live.length]!, file, { settled: true, createdAt: file.createdAt });
  }
  account.catchUp();

  return {
    stores: storeCount,
    expiringStores,
    expiredStores,
    files: storeCount * filesPerStore + orphanFiles + failedFiles,
    vectorStoreFiles: (stores + expiringStores) * filesPerStore + failedFiles,
    orphanFiles,
    failedFiles,
  };
}
