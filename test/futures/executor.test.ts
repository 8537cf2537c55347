import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Event, ProcessError, SerializationError } from 'multiprocessing';
import {
  ALL_COMPLETED,
  asCompleted,
  BrokenProcessPool,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  TimeoutError,
  wait,
} from 'multiprocessing/futures';
import * as tasks from '../fixtures/pool/tasks.ts';
import { childPids } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

for (const context of ['spawn', 'thread'] as const) {
  const Executor = context === 'spawn' ? ProcessPoolExecutor : ThreadPoolExecutor;
  describe(`${Executor.name}`, () => {
    test('submit, result, exception, done, addDoneCallback, await', async () => {
      await using executor = new Executor({ maxWorkers: 2 });
      const future = executor.submit(tasks.square, 9);
      const seen: Array<Future<number>> = [];
      future.addDoneCallback((f) => seen.push(f));
      assert.equal(await future.result(10_000), 81);
      assert.equal(future.done(), true);
      assert.equal(future.running(), false);
      assert.equal(future.cancelled(), false);
      assert.equal(await future.exception(), null);
      assert.deepEqual(seen, [future]);
      let late: unknown;
      future.addDoneCallback((f) => {
        late = f;
      });
      assert.equal(late, future, 'a callback added to a done future runs at once');
      assert.equal(await executor.submit((a: number, b: number) => a * b, 6, 7), 42);
      const failing = executor.submit(tasks.failOn, 13);
      await assert.rejects(failing.result(), tasks.TaskError);
      const error = await failing.exception();
      assert.ok(error instanceof tasks.TaskError);
      assert.equal(error.message, 'unlucky 13');
      const pid = await executor.submit(tasks.pid);
      if (context === 'thread') assert.equal(pid, process.pid);
      else assert.notEqual(pid, process.pid);
    });

    test('cancel takes back a queued future; a running one cannot be cancelled', async () => {
      await using executor = new Executor({ maxWorkers: 1 });
      const started = new Event();
      const release = new Event();
      const running = executor.submit(tasks.gated, started, release, 'first');
      assert.equal(await started.wait(20_000), true);
      assert.equal(running.running(), true);
      const queued = executor.submit(tasks.square, 3);
      const unsent = executor.submit(tasks.square, 4);
      assert.equal(unsent.cancel(), true, 'cancelled before it even reached the shared queue');
      await new Promise((resolve) => setImmediate(resolve)); // now it sits in the shared queue
      assert.equal(queued.running(), false);
      assert.equal(queued.cancel(), true);
      assert.equal(queued.cancel(), true, 'cancelling twice still says cancelled');
      assert.equal(queued.cancelled(), true);
      assert.equal(queued.done(), true);
      await assert.rejects(queued.result(), CancelledError);
      await assert.rejects(queued.exception(), CancelledError);
      await assert.rejects(async () => await queued, CancelledError, 'awaiting a cancelled future throws too');
      await assert.rejects(async () => await unsent, CancelledError);
      assert.equal(running.cancel(), false);
      await assert.rejects(running.result(0), TimeoutError);
      release.set();
      assert.equal(await running.result(20_000), 'first');
      assert.equal(running.cancel(), false, 'a finished future cannot be cancelled');
    });

    test('running() goes from true to done, never back to false while the result travels', async () => {
      await using executor = new Executor({ maxWorkers: 2 });
      const futures = Array.from({ length: 20 }, (_, i) => executor.submit(tasks.slowSquare, i));
      const seenRunning = new Set<Future<number>>();
      const deadline = Date.now() + 20_000;
      while (!futures.every((f) => f.done())) {
        assert.ok(Date.now() < deadline, 'the futures finish');
        for (const f of futures) {
          if (f.running()) seenRunning.add(f);
          else if (seenRunning.has(f)) assert.equal(f.done(), true, 'a running future only stops running when done');
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(seenRunning.size > 0);
    });

    test('map: input order, chunks, errors where they occur, timeout', async () => {
      await using executor = new Executor({ maxWorkers: 2 });
      const collect = async <T>(it: AsyncIterable<T>) => {
        const out: T[] = [];
        for await (const value of it) out.push(value);
        return out;
      };
      assert.deepEqual(await collect(executor.map(tasks.slowSquare, [1, 2, 3, 4, 5])), [1, 4, 9, 16, 25]);
      async function* numbers() {
        for (let i = 0; i < 10; i++) yield i;
      }
      assert.deepEqual(
        await collect(executor.map(tasks.square, numbers(), { chunksize: 3 })),
        [0, 1, 4, 9, 16, 25, 36, 49, 64, 81],
      );
      const got: number[] = [];
      await assert.rejects(async () => {
        for await (const value of executor.map(tasks.failOn, [1, 2, 7, 4], { chunksize: 2 })) got.push(value);
      }, tasks.TaskError);
      assert.deepEqual(got, [1, 2], 'results before the failing item are delivered');
      const release = new Event();
      await assert.rejects(collect(executor.map(tasks.waitOn, [release], { timeout: 50 })), TimeoutError);
      release.set();
      // A map over an async input, then shutdown() at once: the map was accepted, so it runs.
      const late = executor.map(tasks.square, numbers());
      await executor.shutdown();
      assert.deepEqual(await collect(late), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    });

    test('wait and asCompleted', async () => {
      await using executor = new Executor({ maxWorkers: 2 });
      const started = new Event();
      const release = new Event();
      const slow = executor.submit(tasks.gated, started, release, 'slow');
      const fast = executor.submit(tasks.square, 4);
      const first = await wait([slow, fast], { returnWhen: FIRST_COMPLETED, timeout: 20_000 });
      assert.ok(first.done.has(fast));
      assert.ok(first.notDone.has(slow));
      const timedOut = await wait([slow, fast], { timeout: 20 });
      assert.deepEqual([...timedOut.notDone], [slow], 'wait() returns at its timeout without throwing');
      const order: Array<Future<unknown>> = [];
      const iterator = asCompleted<unknown>([slow, fast, fast]);
      const firstOut = await iterator.next();
      assert.equal(firstOut.value, fast, 'asCompleted yields the very Future objects, done ones first');
      order.push(firstOut.value);
      await assert.rejects(asCompleted([slow], 20).next(), TimeoutError);
      release.set();
      for await (const f of iterator) order.push(f as Future<unknown>); // TypeScript types for-await values as Awaited<>, but they are not awaited
      assert.deepEqual(order, [fast, slow]);
      const failing = executor.submit(tasks.failOn, 7);
      const gate = new Event();
      const held = executor.submit(tasks.gated, new Event(), gate, 0);
      const onError = await wait([failing, held], { returnWhen: FIRST_EXCEPTION, timeout: 20_000 });
      assert.deepEqual([...onError.done], [failing]);
      gate.set();
      const all = await wait([failing, held], { returnWhen: ALL_COMPLETED });
      assert.equal(all.done.size, 2);
      assert.equal(all.notDone.size, 0);
      await assert.rejects(wait([failing], { returnWhen: 'SOMETIMES' as never }), RangeError);
      assert.throws(() => asCompleted([1 as never]), TypeError);
    });

    test('bad arguments, a value that cannot be sent, shutdown', async () => {
      assert.throws(() => new Executor({ maxWorkers: 0 }), RangeError);
      assert.throws(() => new Executor({ maxWorkers: 1.5 }), RangeError);
      assert.throws(() => new Executor({ maxTasksPerChild: -1 }), RangeError);
      assert.throws(
        () => new Executor({ maxWorkers: '2' as never }),
        /maxWorkers must be a positive integer, got the string '2'/,
      );
      assert.throws(() => new Executor({ initializer: 3 as never }), /initializer must be a function/);
      assert.throws(() => new Executor({ maxtasksperchild: 1 } as never), /did you mean 'maxTasksPerChild'/);
      if (context === 'thread') {
        // Python's thread_name_prefix names the workers.
        await using named = new Executor({ maxWorkers: 1, threadNamePrefix: 'crawler' });
        assert.match(await named.submit(tasks.workerName), /^crawler-\d+$/);
      } else {
        assert.throws(() => new Executor({ threadNamePrefix: 'x' }), /has no option 'threadNamePrefix'/);
      }
      await new Executor({ maxWorkers: null }).shutdown(); // Python's None: the default
      // Python's positional max_workers: ProcessPoolExecutor(2), ProcessPoolExecutor(None).
      assert.throws(() => new Executor(0), RangeError);
      assert.throws(() => new Executor('2' as never), /takes a number of workers or an options object/);
      await new Executor(null).shutdown();
      {
        await using positional = new Executor(1);
        assert.equal(await positional.submit(tasks.square, 7), 49);
        const names = await Promise.all([0, 1, 2].map(() => positional.submit(tasks.workerName)));
        assert.equal(new Set(names).size, 1, `one worker: ${names}`);
      }
      const executor = new Executor({ maxWorkers: 2 });
      assert.throws(() => executor.submit(42 as never), TypeError);
      assert.throws(() => executor.map(tasks.square, [1], { chunksize: 0 }), RangeError);
      // Python habits: positional timeout / wait flag, a non-iterable; each fails at the call.
      assert.throws(() => executor.map(tasks.square, [1], 100 as never), /map\(\) takes an options object/);
      assert.throws(
        () => executor.map(tasks.square, 5 as never),
        /needs an iterable or an async iterable of items, got number 5/,
      );
      await assert.rejects(executor.shutdown(false as never), /shutdown\(\) takes an options object/);
      const unsendable = executor.submit(tasks.square, Symbol('no') as never);
      await assert.rejects(unsendable.result(), SerializationError);
      assert.equal(await executor.submit(tasks.square, 5), 25, 'the executor still works');
      const started = new Event();
      const release = new Event();
      const running = executor.submit(tasks.gated, started, release, 'kept');
      const started2 = new Event();
      const running2 = executor.submit(tasks.gated, started2, release, 'kept too');
      assert.equal(await started.wait(20_000), true);
      assert.equal(await started2.wait(20_000), true);
      const queued = Array.from({ length: 5 }, (_, i) => executor.submit(tasks.square, i));
      const closing = executor.shutdown({ cancelFutures: true });
      assert.throws(() => executor.submit(tasks.square, 1), ProcessError);
      assert.ok(queued.every((f) => f.cancelled()));
      release.set();
      await closing;
      assert.equal(await running, 'kept');
      assert.equal(await running2, 'kept too');
      if (context === 'spawn') assert.deepEqual(childPids(), []);
    });
  });
}

test("executor map: an item's result that cannot be sent is named by its place in the input", async () => {
  const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
  try {
    for (const chunksize of [1, 2]) {
      await assert.rejects(
        (async () => {
          for await (const _ of executor.map(tasks.unsendableAt3, [0, 1, 2, 3, 4], { chunksize }));
        })(),
        (error: unknown) => {
          assert.ok(error instanceof SerializationError);
          assert.match(
            (error as Error).message,
            /^the task's result \(at \[3\]\.out\) is a Socket/,
            `chunksize ${chunksize}`,
          );
          return true;
        },
      );
    }
  } finally {
    await executor.shutdown();
  }
});

test('a worker that dies makes the executor broken: its task, the pending ones and later submits fail', async () => {
  for (const [task, pattern] of [
    [tasks.killSelf, /killed by signal 9/],
    [() => process.exit(5), /exited with code 5/],
  ] as const) {
    const executor = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await executor.submit(tasks.square, 2), 4);
    const dying = executor.submit(task as () => void);
    const pending = executor.submit(tasks.square, 3);
    await assert.rejects(dying.result(20_000), (error: unknown) => {
      assert.ok(error instanceof BrokenProcessPool);
      assert.ok(error instanceof ProcessError);
      assert.match((error as Error).message, pattern);
      return true;
    });
    await assert.rejects(pending.result(20_000), BrokenProcessPool);
    assert.throws(() => executor.submit(tasks.square, 4), BrokenProcessPool);
    await executor.shutdown();
    assert.deepEqual(childPids(), []);
  }
});

test('an initializer that throws breaks the executor', async () => {
  const executor = new ProcessPoolExecutor({ maxWorkers: 1, initializer: tasks.badInit });
  await assert.rejects(executor.submit(tasks.square, 2).result(20_000), BrokenProcessPool);
  assert.throws(() => executor.submit(tasks.square, 3), /initializer threw/);
  await executor.shutdown();
  assert.deepEqual(childPids(), []);
});

test('out of memory in a worker: the pool replaces it, the executor breaks; nothing hangs', () => {
  const program = fileURLToPath(new URL('../fixtures/pool/out-of-memory.ts', import.meta.url));
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', program], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `exit ${result.status} ${result.signal ?? ''}\n${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  assert.equal(report.poolError, 'ProcessError');
  assert.match(report.poolMessage, /was killed by signal|exited with code/);
  assert.equal(report.poolAfter, 49, 'the pool replaced the worker and goes on');
  assert.equal(report.executorError, 'BrokenProcessPool');
  assert.equal(report.executorPending, 'BrokenProcessPool');
});
