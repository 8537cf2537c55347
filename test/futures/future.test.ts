// Future, wait and asCompleted on their own, over promises this test settles: their states,
// timeouts and callbacks, with no pool behind them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError } from '../../src/errors.ts';
import { CancelledError, InvalidStateError } from '../../src/futures/errors.ts';
import { asCompleted, doneCallbackCount, Future, futureOf, settleFuture, wait } from '../../src/futures/future.ts';

/** A future with a hand-settled outcome; `running` is what its source reports. */
function controlled<R>(running = () => false) {
  const future = futureOf<R>({ withdraw: () => !running(), isRunning: running });
  const resolve = (value: R) => settleFuture(future, true, value);
  const reject = (error: unknown) => settleFuture(future, false, error);
  return { future, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a timeout of Infinity or past Node timer limit (2^31 - 1 ms) waits; it used to fire after 1 ms', async () => {
  for (const timeout of [Infinity, 2 ** 31, 1e12]) {
    const { future, resolve } = controlled<number>();
    const result = future.result(timeout);
    const exception = future.exception(timeout);
    const waited = wait([future], { timeout });
    const iterator = asCompleted([future], timeout);
    const next = iterator.next();
    // Long enough for a 1 ms timer to have fired several times.
    await new Promise((done) => setTimeout(done, 30));
    assert.equal(future.done(), false);
    resolve(7);
    assert.equal(await result, 7, `result(${timeout})`);
    assert.equal(await exception, null);
    assert.equal((await waited).done.size, 1, `wait({ timeout: ${timeout} })`);
    assert.equal((await next).value, future, `asCompleted(fs, ${timeout})`);
  }
});

test('asCompleted: overlapping next() calls are served in order; extra ones get the end', async () => {
  const a = controlled<string>();
  const b = controlled<string>();
  const iterator = asCompleted([a.future, b.future]);
  const calls = [iterator.next(), iterator.next(), iterator.next()];
  b.resolve('b');
  await tick();
  a.resolve('a');
  const results = await Promise.all(calls);
  assert.deepEqual(
    results.map((r) => r.value),
    [b.future, a.future, undefined],
  );
  assert.equal(results[2]!.done, true);
});

test('asCompleted: the timeout fails the waiting call once; futures done before it are still yielded', async () => {
  const done = controlled<number>();
  const slow = controlled<number>();
  done.resolve(1);
  await tick();
  const iterator = asCompleted([done.future, slow.future], 20);
  const first = iterator.next();
  const second = iterator.next();
  const third = iterator.next();
  assert.equal((await first).value, done.future);
  await assert.rejects(second, (error: unknown) => {
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /1 \(of 2\) futures unfinished after 20 ms/);
    return true;
  });
  assert.equal((await third).done, true, 'one TimeoutError, then the iteration is over');
  assert.equal(doneCallbackCount(slow.future), 0, 'no callback is left on the unfinished future');
  slow.resolve(2);
});

test('asCompleted: a timeout with no call waiting is thrown by the next call that would wait', async () => {
  const slow = controlled<number>();
  const iterator = asCompleted([slow.future], 10);
  await new Promise((resolve) => setTimeout(resolve, 30));
  await assert.rejects(iterator.next(), TimeoutError);
  assert.equal((await iterator.next()).done, true);
  slow.resolve(0);
});

test('wait and asCompleted take their callbacks back: polling with timeouts does not pile them up', async () => {
  const slow = controlled<number>();
  for (let i = 0; i < 50; i++) await wait([slow.future], { timeout: 0.01 });
  assert.equal(doneCallbackCount(slow.future), 0);
  const iterator = asCompleted([slow.future]);
  assert.equal(doneCallbackCount(slow.future), 1);
  await iterator.return!();
  assert.equal(doneCallbackCount(slow.future), 0, 'return() takes it back');
  const fast = controlled<number>();
  const first = wait([slow.future, fast.future], { returnWhen: 'FIRST_COMPLETED' });
  fast.resolve(1);
  assert.deepEqual([...(await first).done], [fast.future]);
  assert.equal(doneCallbackCount(slow.future), 0, 'the unfinished one keeps none after FIRST_COMPLETED');
  slow.resolve(2);
});

test('wait: positional arguments in place of the options object are a TypeError, not ignored', async () => {
  const { future, resolve } = controlled<number>();
  await assert.rejects(wait([future], 5 as never), /wait\(\) takes an options object such as/);
  await assert.rejects(wait([future], 'FIRST_COMPLETED' as never), TypeError);
  resolve(1);
});

test('running() stays true from the moment it is seen running until done() is true', async () => {
  let slot = true;
  const { future, resolve } = controlled<number>(() => slot);
  assert.equal(future.running(), true);
  slot = false; // a source that forgot, as a pool worker's slot is cleared before the result arrives
  assert.equal(future.running(), true, 'never back to pending');
  assert.equal(future.cancel(), false);
  resolve(3);
  await tick();
  assert.equal(future.running(), false);
  assert.equal(future.done(), true);
});

test("new Future(): settled by setResult / setException, as Python's Future(); InvalidStateError once done", async () => {
  const future = new Future<number>();
  assert.equal(future.done(), false);
  const waiting = future.result(10_000);
  let called = 0;
  future.addDoneCallback(() => called++);
  future.setResult(5);
  assert.equal(future.done(), true, 'done at once, not a tick later');
  assert.equal(called, 1);
  assert.equal(await waiting, 5);
  assert.equal(await future, 5);
  assert.throws(() => future.setResult(6), InvalidStateError);
  assert.throws(() => future.setException(new Error('late')), /already fulfilled/);

  const failing = new Future<number>();
  failing.setException(new RangeError('no'));
  await assert.rejects(failing.result(), RangeError);
  await assert.rejects(async () => await failing, RangeError, 'awaiting a failed future throws its error');
  assert.ok((await failing.exception()) instanceof RangeError);

  const cancelled = new Future<number>();
  const pending = cancelled.result(10_000);
  assert.equal(cancelled.cancel(), true);
  await assert.rejects(pending, CancelledError, 'a waiting result() ends when the future is cancelled');
  await assert.rejects(
    async () => await cancelled,
    CancelledError,
    'awaiting a cancelled future throws CancelledError',
  );
  assert.equal(cancelled.setRunningOrNotifyCancel(), false);

  const running = new Future<number>();
  assert.equal(running.setRunningOrNotifyCancel(), true);
  assert.equal(running.running(), true);
  assert.equal(running.cancel(), false, 'a running future cannot be cancelled');
  assert.throws(() => running.setRunningOrNotifyCancel(), InvalidStateError);
  running.setResult(1);
  assert.equal(running.running(), false);
  assert.throws(() => new (Future as unknown as new (x: number) => Future<number>)(3), /takes no arguments/);
});

test('then() on a pending future chains as a promise does, for every caller, once it settles', async () => {
  const future = new Future<number>();
  const doubled = future.then((v) => v * 2);
  const again = future.then((v) => v + 1);
  future.setResult(3);
  assert.equal(await doubled, 6);
  assert.equal(await again, 4);
  assert.equal(await future.then(), 3, 'then() on a done future too');

  const failing = new Future<number>();
  const caught = failing.then(undefined, (error: Error) => `caught ${error.message}`);
  failing.setException(new Error('no'));
  assert.equal(await caught, 'caught no');
  await assert.rejects(
    failing.then((v) => v),
    /no/,
  );

  const cancelled = new Future<number>();
  const waiting = cancelled.then((v) => v);
  assert.equal(cancelled.cancel(), true);
  await assert.rejects(waiting, CancelledError);
});

test('a failed or cancelled future that is awaited, or asked for its result, is no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const awaited = controlled<number>();
    const caught = awaited.future.then(
      () => 'fulfilled',
      (error: Error) => error.message,
    );
    const asked = controlled<number>();
    const result = asked.future.result().catch((error: Error) => error.message);
    const exception = asked.future.exception();
    const cancelled = controlled<number>();
    const cancelledThen = cancelled.future.then(null, (error: unknown) => error instanceof CancelledError);
    awaited.reject(new Error('awaited failure'));
    asked.reject(new Error('asked failure'));
    assert.equal(cancelled.future.cancel(), true);
    assert.equal(await caught, 'awaited failure');
    assert.equal(await result, 'asked failure');
    assert.equal((await exception)?.message, 'asked failure');
    assert.equal(await cancelledThen, true);
    await tick();
    await tick();
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
