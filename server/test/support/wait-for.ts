import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `read` until it gives a value: for conditions only the database can tell (no event to await).
 * The timeout is generous and only ends a test that would otherwise hang; it is not what is tested.
 */
export async function waitFor<T>(
  read: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value;
    await sleep(25);
  }
  throw new Error(`Timed out waiting for ${what}`);
}
