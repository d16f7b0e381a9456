import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Advisory-lock namespace of account syncs (`'SYNC'` in ASCII), so other features can take their own
 * advisory locks on the same account without ever blocking a sync.
 */
const SYNC_LOCK_CLASS = 0x53594e43;

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * At most one sync per account across every process: a session-level advisory lock held on a
 * dedicated connection for the whole run. If the process dies, PostgreSQL drops the session and the
 * lock with it, which is how a dead run is told apart from a running one. The key is a 32-bit hash of
 * the account id: two accounts that collide would only take turns, never sync concurrently by mistake.
 */
export async function tryLockAccountSync(db: DataSource, accountId: string): Promise<HeldLock | null> {
  const runner: QueryRunner = db.createQueryRunner();
  try {
    const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [
      SYNC_LOCK_CLASS,
      accountId,
    ]);
    if (!locked) {
      await runner.release();
      return null;
    }
  } catch (error) {
    await runner.release();
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try {
        await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [SYNC_LOCK_CLASS, accountId]);
      } finally {
        await runner.release();
      }
    },
  };
}
