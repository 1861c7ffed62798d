import { describe, expect, it } from 'vitest';
import { createSemaphore } from './semaphore.ts';

/** A task that runs until released, recording when it started. */
function tasks() {
  const started: number[] = [];
  const releases = new Map<number, () => void>();
  const task = (n: number) => () =>
    new Promise<number>((resolve) => {
      started.push(n);
      releases.set(n, () => resolve(n));
    });
  const release = async (n: number) => {
    releases.get(n)!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { started, task, release };
}

describe('createSemaphore', () => {
  it('runs at most `limit` tasks at once, the others in the order they came', async () => {
    const { started, task, release } = tasks();
    const slots = createSemaphore(2);
    const done = [1, 2, 3, 4].map((n) => slots.run(task(n)));
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([1, 2]);
    await release(2);
    expect(started).toEqual([1, 2, 3]);
    await release(1);
    expect(started).toEqual([1, 2, 3, 4]);
    await release(3);
    await release(4);
    expect(await Promise.all(done)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a task past a full queue at once, without running it, and takes tasks again once it drains', async () => {
    const { started, task, release } = tasks();
    const slots = createSemaphore(1, { limit: 1, full: () => new Error('busy') });
    const first = slots.run(task(1));
    const second = slots.run(task(2));
    await expect(slots.run(task(3))).rejects.toThrow('busy');
    expect(started).toEqual([1]);
    await release(1);
    await release(2);
    expect([await first, await second]).toEqual([1, 2]);
    const fourth = slots.run(task(4));
    await new Promise((r) => setTimeout(r, 0));
    await release(4);
    expect(await fourth).toBe(4);
    expect(started).toEqual([1, 2, 4]);
  });
});
