import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Barrier, BrokenBarrierError, Condition, Event, Lock, Process, ProcessError, RLock } from 'multiprocessing';
import * as workers from '../fixtures/sync/workers.ts';
import { type Board, childPids, createBoard, startMethods } from '../helpers.ts';

let board: Board;
before(() => {
  board = createBoard(64);
});
after(() => {
  board.close();
  assert.deepEqual(childPids(), []);
});
let slot = 0;

test('event: set, clear, isSet, wait with timeouts', async () => {
  const event = new Event();
  assert.equal(event.isSet(), false);
  assert.equal(await event.wait(0), false);
  assert.equal(await event.wait(20), false);
  assert.equal(event.waitSync(10), false);
  event.set();
  assert.equal(event.isSet(), true);
  assert.equal(await event.wait(), true);
  assert.equal(event.waitSync(), true);
  event.clear();
  assert.equal(event.isSet(), false);
  await assert.rejects(event.wait(-5), RangeError);
  // A wrongly typed timeout is a TypeError that says so (it was a RangeError saying "got 100").
  await assert.rejects(event.wait('100' as never), /must be a number of milliseconds.*got the string '100'/);
  await assert.rejects(event.wait(null as never), /Python's None is undefined here/);
  // A set() then clear() while a waiter sleeps ends its wait, with the flag's value (Python's
  // multiprocessing.Event); the waiter used to sleep on until its timeout, or for ever.
  const start = performance.now();
  const waiting = event.wait(10_000);
  await new Promise((resolve) => setImmediate(resolve));
  event.set();
  event.clear();
  assert.equal(await waiting, false);
  assert.ok(performance.now() - start < 5000, `took ${performance.now() - start} ms`);
});

test('condition: wait needs the lock; notify wakes one, notifyAll the rest; waitFor', async () => {
  const condition = new Condition(new Lock());
  await assert.rejects(condition.wait(10), ProcessError);
  assert.throws(() => condition.notify(), ProcessError);
  await condition.acquire();
  assert.equal(await condition.wait(20), false, 'times out without a notify');
  condition.release();
  let ready = false;
  const waiter = condition.withLock(() => condition.waitFor(() => ready, 5000));
  await new Promise((resolve) => setImmediate(resolve));
  await condition.withLock(() => {
    ready = true;
    condition.notifyAll();
  });
  assert.equal(await waiter, true);
  assert.throws(() => new Condition({} as never), TypeError);
});

test('condition: a waiter that died waiting does not take the next notify; a lock held elsewhere is not ours', async () => {
  const lock = new Lock();
  const condition = new Condition(lock);
  const s = slot++;
  const dead = new Process({ target: workers.waitCondition, args: [condition, board.name, s] });
  dead.start();
  await board.waitFor(s, 1);
  await condition.withLock(() => {}); // (free again only once the child waits)
  dead.kill();
  await dead.join();
  const local = condition.withLock(() => condition.wait(10_000));
  await new Promise((resolve) => setImmediate(resolve));
  await condition.withLock(() => condition.notify(1));
  assert.equal(await local, true, 'the one notify went to the live waiter (it used to go to the dead one)');
  // Held by another process: neither wait nor notify may use it (they checked only locked()).
  const h = slot++;
  const holder = new Process({ target: workers.holdForever, args: [lock, board.name, h] });
  holder.start();
  await board.waitFor(h, 1);
  try {
    assert.throws(() => condition.notify(), /un-acquired Condition/);
    await assert.rejects(condition.wait(10), /un-acquired Condition/);
  } finally {
    holder.kill();
    await holder.join();
  }
});

test('locks: `using` releases only a lock this thread holds', async () => {
  const lock = new Lock();
  {
    using held = lock;
    assert.equal(await held.acquire(), true);
  }
  assert.equal(lock.locked(), false, 'released at the end of the block');
  const h = slot++;
  const holder = new Process({ target: workers.holdForever, args: [lock, board.name, h] });
  holder.start();
  await board.waitFor(h, 1);
  try {
    lock[Symbol.dispose]();
    assert.equal(lock.locked(), true, "another process's hold is not released (it was)");
    const condition = new Condition(new RLock());
    {
      await using c = condition;
      await c.acquire();
    }
    assert.equal(await condition.acquire({ timeout: 0 }), true);
    condition.release();
  } finally {
    holder.kill();
    await holder.join();
  }
});

test('misuse: positional or misspelt options are a TypeError, not ignored (they used to wait for ever)', async () => {
  assert.throws(() => new Barrier(2, (() => {}) as never), /Barrier\(parties, options\) takes an options object/);
  assert.throws(
    () => new Barrier(2, { timeOut: 5 } as never),
    /Barrier has no option 'timeOut'; did you mean 'timeout'/,
  );
  const lock = new Lock();
  await assert.rejects(lock.acquire({ blocking: false } as never), /acquire has no option 'blocking'/);
});

test('barrier: parties, indexes, action once, abort and reset', async () => {
  let actions = 0;
  const barrier = new Barrier(3, { action: () => actions++ });
  assert.equal(barrier.parties, 3);
  const indexes = await Promise.all([barrier.wait(5000), barrier.wait(5000), barrier.wait(5000)]);
  assert.deepEqual([...indexes].sort(), [0, 1, 2]);
  assert.equal(actions, 1);
  assert.equal(barrier.nWaiting, 0);

  const pending = barrier.wait(5000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(barrier.nWaiting, 1);
  barrier.abort();
  await assert.rejects(pending, BrokenBarrierError);
  assert.equal(barrier.broken, true);
  await assert.rejects(barrier.wait(10), BrokenBarrierError);
  barrier.reset();
  assert.equal(barrier.broken, false);

  await assert.rejects(barrier.wait(30), BrokenBarrierError, 'a timeout breaks the barrier');
  assert.equal(barrier.broken, true);
  barrier.reset();
  assert.throws(() => new Barrier(0), RangeError);
});

for (const context of startMethods) {
  describe(`events across processes (${context})`, () => {
    test('children waiting on an Event all wake when it is set', async () => {
      const event = new Event();
      const slots = [slot++, slot++];
      const children = slots.map(
        (s) => new Process({ target: workers.waitEvent, args: [event, board.name, s], context }),
      );
      for (const child of children) child.start();
      for (const s of slots) await board.waitFor(s, 1);
      event.set();
      for (const s of slots) await board.waitFor(s, 2);
      await Promise.all(children.map((child) => child.join()));
    });

    test('notify(1) wakes exactly one child waiting on a Condition', async () => {
      const condition = new Condition();
      const slots = [slot++, slot++];
      const children = slots.map(
        (s) => new Process({ target: workers.waitCondition, args: [condition, board.name, s], context }),
      );
      for (const child of children) child.start();
      for (const s of slots) await board.waitFor(s, 1);
      // Both are inside wait() once each has released the lock it held.
      await condition.withLock(() => condition.notify(1));
      await Promise.race(slots.map((s) => board.waitFor(s, 2)));
      const woken = slots.filter((s) => board.get(s) === 2).length;
      assert.equal(woken, 1);
      await condition.withLock(() => condition.notifyAll());
      for (const s of slots) await board.waitFor(s, 2);
      await Promise.all(children.map((child) => child.join()));
    });

    test('a barrier of three: two children and the main program', async () => {
      const barrier = new Barrier(3);
      const slots = [slot++, slot++];
      const children = slots.map(
        (s) => new Process({ target: workers.barrierParty, args: [barrier, board.name, s], context }),
      );
      for (const child of children) child.start();
      const mine = await barrier.wait(20_000);
      await Promise.all(children.map((child) => child.join()));
      const indexes = [mine, ...slots.map((s) => board.get(s) - 100)].sort();
      assert.deepEqual(indexes, [0, 1, 2]);
    });
  });
}
