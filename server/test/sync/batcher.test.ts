import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/services/sync/batcher.ts';

/** A writer whose batches finish only when the test says so. */
class ControlledWriter {
  readonly batches: number[][] = [];
  private readonly pending: Array<{ resolve: (results: string[]) => void; reject: (e: unknown) => void }> =
    [];
  write = (items: number[]) => {
    this.batches.push(items);
    return new Promise<string[]>((resolve, reject) => this.pending.push({ resolve, reject }));
  };
  /** Finishes the oldest unfinished batch with `results` (one per item by default). */
  finish(results?: string[]): void {
    const batch = this.batches[this.batches.length - this.pending.length]!;
    this.pending.shift()!.resolve(results ?? batch.map((item) => `row ${item}`));
  }
  fail(error: unknown): void {
    this.pending.shift()!.reject(error);
  }
}

/** Lets every settled promise run its continuations. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('writes the first item at once and everything pushed meanwhile as the next batch', async () => {
    const writer = new ControlledWriter();
    const batcher = new Batcher(writer.write);
    const first = batcher.push(1);
    const rest = [2, 3, 4].map((item) => batcher.push(item));
    expect(writer.batches).toEqual([[1]]);
    writer.finish();
    expect(await first).toBe('row 1');
    await settle();
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    writer.finish();
    expect(await Promise.all(rest)).toEqual(['row 2', 'row 3', 'row 4']);
  });

  it('splits a backlog into batches of at most maxItems', async () => {
    const writer = new ControlledWriter();
    const batcher = new Batcher(writer.write, 2);
    const all = [1, 2, 3, 4, 5].map((item) => batcher.push(item));
    for (let i = 0; i < 3; i++) {
      writer.finish();
      await settle();
    }
    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(all)).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
  });

  it('writes up to `parallel` batches at once', async () => {
    const writer = new ControlledWriter();
    const batcher = new Batcher(writer.write, 10, 2);
    const all = [1, 2, 3].map((item) => batcher.push(item));
    expect(writer.batches).toEqual([[1], [2]]);
    writer.finish();
    writer.finish();
    await settle();
    expect(writer.batches).toEqual([[1], [2], [3]]);
    writer.finish();
    expect(await Promise.all(all)).toEqual(['row 1', 'row 2', 'row 3']);
  });

  it('rejects every item of a batch whose write failed, and goes on with the next', async () => {
    const writer = new ControlledWriter();
    const batcher = new Batcher(writer.write);
    const first = batcher.push(1);
    const second = [2, 3].map((item) => batcher.push(item));
    const failure = new Error('deadlock detected');
    writer.fail(failure);
    await expect(first).rejects.toBe(failure);
    await settle();
    writer.fail(failure);
    for (const item of second) await expect(item).rejects.toBe(failure);
    const later = batcher.push(4);
    writer.finish();
    expect(await later).toBe('row 4');
  });

  it('fails every item of a batch answered with fewer results than items', async () => {
    const writer = new ControlledWriter();
    const batcher = new Batcher(writer.write);
    const first = batcher.push(1);
    const pair = [2, 3].map((item) => batcher.push(item));
    writer.finish();
    await first;
    await settle();
    writer.finish(['row 2']);
    for (const item of pair)
      await expect(item).rejects.toThrow('A batch of 2 items was written with 1 results.');
  });
});
