import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/services/sync/semaphore.ts';

/** A task that runs until the test ends it. */
function task(log: string[], name: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const run = async () => {
    log.push(`start ${name}`);
    await ended;
    log.push(`end ${name}`);
    return name;
  };
  return { run, end };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const log: string[] = [];
    const semaphore = new Semaphore(2);
    const tasks = ['a', 'b', 'c', 'd'].map((name) => task(log, name));
    const results = tasks.map((t) => semaphore.run(t.run));
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    tasks[1]!.end();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    tasks[0]!.end();
    await settle();
    expect(log.slice(4)).toEqual(['end a', 'start d']);
    tasks[2]!.end();
    tasks[3]!.end();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives the slot back when a task throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.run(async () => 'next')).toBe('next');
  });

  it('hands a released slot to the oldest waiter, not to a newcomer, and counts a double release once', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const order: string[] = [];
    const waiter = semaphore.acquire().then((r) => {
      order.push('waiter');
      return r;
    });
    release();
    release(); // a second call must not free a second slot
    const newcomer = semaphore.acquire().then((r) => {
      order.push('newcomer');
      return r;
    });
    await settle();
    expect(order).toEqual(['waiter']);
    (await waiter)();
    (await newcomer)();
    expect(order).toEqual(['waiter', 'newcomer']);
  });
});
