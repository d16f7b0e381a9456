import type { DataSource, EntityManager } from 'typeorm';

/**
 * The only writers of mirror rows (`vector_store.source = 'cache'`). A trigger (migration
 * MirrorRowsGuard) refuses any insert or delete of a mirror, and any change of its mirrored columns,
 * unless the transaction declared one of these roles with `SET LOCAL vs_align.mirror_writer`.
 */
export type MirrorWriterRole = 'sync' | 'deletion';

/** SQLSTATE the trigger raises; a custom class so it cannot be mistaken for another error. */
export const MIRROR_WRITE_REFUSED = 'VA001';

/** Declares the current transaction a mirror writer; outside a transaction it would do nothing. */
export function declareMirrorWriter(manager: EntityManager, role: MirrorWriterRole): Promise<unknown> {
  // A literal, never input: the role is one of two constants.
  return manager.query(`SET LOCAL vs_align.mirror_writer = '${role}'`);
}

/** Runs `work` in a transaction that is declared the given mirror writer. */
export function asMirrorWriter<T>(
  db: DataSource,
  role: MirrorWriterRole,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return db.transaction(async (manager) => {
    await declareMirrorWriter(manager, role);
    return work(manager);
  });
}
