import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  activeChildren,
  cpuCount,
  getContext,
  Pool,
  ProcessError,
  Queue,
  SerializationError,
  ThreadPool,
  TimeoutError,
  taskRef,
} from 'multiprocessing';
import { MAX_ITEMS } from '../../src/pool/imap.ts';
import { idsBetween } from '../../src/pool/pool.ts';
import { MAX_TASK_ID } from '../../src/pool/worker.ts';
import * as counted from '../fixtures/pool/counted-import.ts';
import * as exitsOnImport from '../fixtures/pool/exits-on-import.ts';
import * as tasks from '../fixtures/pool/tasks.ts';
import { childPids, createBoard, segmentsOfThisProcess } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

for (const context of ['spawn', 'thread'] as const) {
  describe(`pool (${context})`, () => {
    test('apply, map, starmap, imap, imapUnordered, lambdas and taskRefs', async () => {
      const pool = new Pool({ processes: 2, context });
      try {
        assert.equal(await pool.apply(tasks.square, [7]), 49);
        assert.deepEqual(await pool.map(tasks.square, [1, 2, 3, 4]), [1, 4, 9, 16]);
        assert.deepEqual(await pool.map(tasks.square, []), []);
        assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2, 3], { chunksize: 2 }), [2, 3, 4]);
        assert.deepEqual(
          await pool.starmap(tasks.add, [
            [1, 2],
            [3, 4],
          ]),
          [3, 7],
        );
        async function* numbers() {
          yield 5;
          yield 6;
        }
        assert.deepEqual(await pool.map(tasks.slowSquare, numbers()), [25, 36]);
        const ordered: number[] = [];
        for await (const value of pool.imap(tasks.slowSquare, [1, 2, 3, 4, 5])) ordered.push(value);
        assert.deepEqual(ordered, [1, 4, 9, 16, 25]);
        const unordered: number[] = [];
        for await (const value of pool.imapUnordered(tasks.slowSquare, [1, 2, 3, 4, 5], { chunksize: 2 }))
          unordered.push(value);
        assert.deepEqual(
          unordered.sort((a, b) => a - b),
          [1, 4, 9, 16, 25],
        );
        const ref = taskRef(new URL('../fixtures/pool/tasks.ts', import.meta.url), 'square');
        assert.equal(await pool.apply(ref, [12]), 144);
      } finally {
        pool.close();
        await pool.join();
      }
    });

    test('getContext(method) has Pool bound to it (and the shared objects); a context also goes as `context`', async () => {
      const ctx = getContext(context);
      for (const pool of [new ctx.Pool(2), new ctx.Pool({ processes: 1 }), new Pool({ processes: 1, context: ctx })]) {
        try {
          assert.ok(pool instanceof Pool);
          const pid = await pool.apply(tasks.pid);
          if (context === 'thread') assert.equal(pid, process.pid);
          else assert.notEqual(pid, process.pid);
        } finally {
          await pool.terminate();
        }
      }
      assert.equal(ctx.Queue, Queue);
      for (const name of [
        'Lock',
        'RLock',
        'Semaphore',
        'Event',
        'Condition',
        'Barrier',
        'Value',
        'Array',
        'Pipe',
      ] as const) {
        assert.equal(typeof ctx[name], 'function', `ctx.${name}`);
      }
    });

    test('a worker that dies mid-task fails exactly that task; the pool replaces it and goes on', async () => {
      const pool = new Pool({ processes: 2, context });
      try {
        const others = Array.from({ length: 20 }, (_, i) => pool.apply(tasks.slowSquare, [i]));
        const exit = pool.apply(tasks.crash, [3]);
        await assert.rejects(exit, (error: unknown) => {
          assert.ok(error instanceof ProcessError);
          assert.match((error as Error).message, /exited with code 3/);
          return true;
        });
        if (context === 'spawn') {
          await assert.rejects(pool.apply(tasks.killSelf), /killed by signal 9 \(SIGKILL\)/);
        }
        await assert.rejects(pool.apply(tasks.uncaughtLater), /exited with code 1/);
        assert.deepEqual(
          await Promise.all(others),
          Array.from({ length: 20 }, (_, i) => i * i),
        );
        assert.equal(await pool.apply(tasks.square, [3]), 9);
      } finally {
        await pool.terminate();
      }
    });
  });
}

test('pool: map rejects with the first error in input order, with its class', async () => {
  const pool = new Pool(2);
  try {
    await assert.rejects(
      pool.map(
        tasks.failOn,
        Array.from({ length: 20 }, (_, i) => i),
        { chunksize: 3 },
      ),
      (error: unknown) => {
        assert.ok(error instanceof tasks.TaskError);
        assert.equal((error as Error).message, 'unlucky 7');
        return true;
      },
    );
    assert.equal(await pool.apply(tasks.square, [2]), 4, 'the pool is fine afterwards');
  } finally {
    await pool.terminate();
  }
});

test('pool: applyAsync and AsyncResult (callbacks, get timeout, ready, successful)', async () => {
  const pool = new Pool(1);
  try {
    let called: number | undefined;
    const result = pool.applyAsync(tasks.add, [2, 3], { callback: (value) => (called = value) });
    assert.equal(await result.get(), 5);
    assert.equal(called, 5);
    assert.equal(result.ready(), true);
    assert.equal(result.successful(), true);
    let failure: Error | undefined;
    const failing = pool.applyAsync(tasks.failOn, [13], { errorCallback: (error) => (failure = error) });
    await failing.wait();
    assert.equal(failing.successful(), false);
    assert.ok(failure instanceof tasks.TaskError);
    const slow = pool.applyAsync(tasks.forever, []);
    assert.equal(slow.ready(), false);
    assert.throws(() => slow.successful(), ProcessError);
    await assert.rejects(slow.get(30), TimeoutError);
    await assert.rejects(slow.wait(-1), RangeError, 'wait() only swallows the timeout, not a bad argument');
    await assert.rejects(slow.wait(Number.NaN), RangeError);
    const mapped = pool.mapAsync(tasks.square, [1, 2]);
    const starred = pool.starmapAsync(tasks.add, [[1, 1]]);
    await pool.terminate();
    await assert.rejects(mapped.get(), ProcessError);
    await starred.wait();
  } finally {
    await pool.terminate();
  }
});

test('pool: signal and timeout per call; an already-aborted signal rejects at once', async () => {
  const pool = new Pool(1);
  try {
    await assert.rejects(pool.apply(tasks.square, [1], { signal: AbortSignal.abort() }), { name: 'AbortError' });
    const controller = new AbortController();
    const running = pool.apply(tasks.forever, [], { signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(running, { name: 'AbortError' });
    await assert.rejects(pool.apply(tasks.forever, [], { timeout: 50 }), TimeoutError);
    assert.equal(await pool.apply(tasks.square, [5]), 25, 'the worker that ran it was replaced');
    // A task aborted while still queued is taken back: no worker ever runs it.
    const first = new AbortController();
    const second = new AbortController();
    const blocker = pool.apply(tasks.forever, [], { signal: first.signal });
    const queued = pool.apply(tasks.forever, [], { signal: second.signal });
    second.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    first.abort();
    await assert.rejects(blocker, { name: 'AbortError' });
    assert.equal(await pool.apply(tasks.square, [6]), 36, 'the withdrawn task did not occupy the new worker');
    // One signal for many tasks (a map's 40 chunks): one listener on it, so no
    // MaxListenersExceededWarning (there was one listener per task).
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const shared = new AbortController();
      const items = Array.from({ length: 40 }, (_, i) => i);
      assert.equal((await pool.map(tasks.square, items, { chunksize: 1, signal: shared.signal })).length, 40);
      await new Promise((resolve) => setImmediate(resolve)); // (warnings are emitted on a later tick)
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
    await assert.rejects(pool.apply(tasks.square, [1], { signal: {} as never }), /signal must be an AbortSignal/);
  } finally {
    await pool.terminate();
  }
});

test('pool: initializer, maxtasksperchild, onProgress', async () => {
  const pool = new Pool({ processes: 1, initializer: tasks.init, initargs: ['ready'], maxtasksperchild: 2 });
  try {
    assert.equal(await pool.apply(tasks.readInit), 'ready');
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) pids.add(await pool.apply(tasks.pid));
    assert.ok(pids.size >= 2, `workers were recycled: ${[...pids]}`);
    const progress: Array<[number, number | undefined]> = [];
    await pool.map(tasks.square, [1, 2, 3, 4, 5], {
      chunksize: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(progress.at(-1), [5, 5]);
  } finally {
    pool.close();
    await pool.join();
  }
});

test('pool: imap reads an endless input lazily: a bounded window ahead, wide for tiny tasks, two per worker for slow ones', async () => {
  const pool = new Pool(2);
  try {
    const cases: Array<[(x: number) => number | Promise<number>, number, number]> = [
      [tasks.square, 5 * MAX_ITEMS, MAX_ITEMS],
      // (5 ms a task: the window stays at its floor, 2 chunks per worker)
      [tasks.slowSquare, 16, 4],
    ];
    for (const [fn, results, bound] of cases) {
      let produced = 0;
      let most = 0;
      const seen: number[] = [];
      function* endless() {
        for (;;) {
          most = Math.max(most, produced - seen.length);
          yield produced++;
        }
      }
      for await (const value of pool.imap(fn, endless())) {
        seen.push(value);
        if (seen.length === results) break;
      }
      assert.deepEqual(seen.slice(0, 3), [0, 1, 4]);
      assert.equal(seen[results - 1], (results - 1) ** 2);
      assert.ok(most <= bound, `${fn.name}: ${most} items read ahead of the results (at most ${bound})`);
    }
  } finally {
    await pool.terminate();
  }
});

test('pool: imap and imapUnordered of many tiny items, and with a timeout per chunk, give every result', async () => {
  const pool = new Pool(2);
  try {
    const items = Array.from({ length: 20_000 }, (_, i) => i);
    const squares = items.map((x) => x * x);
    const ordered: number[] = [];
    for await (const value of pool.imap(tasks.square, items)) ordered.push(value);
    assert.deepEqual(ordered, squares);
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered(tasks.square, items)) unordered.push(value);
    assert.deepEqual(
      unordered.sort((a, b) => a - b),
      squares,
    );
    const timed: number[] = [];
    for await (const value of pool.imap(tasks.square, items.slice(0, 500), { timeout: 30_000, chunksize: 7 })) {
      timed.push(value);
    }
    assert.deepEqual(timed, squares.slice(0, 500));
  } finally {
    await pool.terminate();
  }
});

test('pool: calls made before close() run to their end, as in Python; imap too, iterated after join()', async () => {
  const pool = new Pool(2);
  try {
    async function* numbers(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    async function* pairs(n: number) {
      for await (const i of numbers(n)) yield [i, i];
    }
    // Each call below used to fail with "the pool is closed" when close() came in the same tick.
    const mapped = pool.map(tasks.square, numbers(4));
    const asynced = pool.mapAsync(tasks.square, [4, 5]);
    const starred = pool.starmap(tasks.add, pairs(3));
    const lazy = pool.imap(tasks.square, numbers(6));
    const unordered = pool.imapUnordered(tasks.square, [1, 2, 3]);
    pool.close();
    assert.throws(() => pool.imap(tasks.square, [1]), ProcessError, 'a new call after close() fails at once');
    await pool.join();
    assert.deepEqual(await mapped, [0, 1, 4, 9]);
    assert.deepEqual(await asynced.get(1000), [16, 25]);
    assert.deepEqual(await starred, [0, 2, 4]);
    const seen: number[] = [];
    for await (const value of lazy) seen.push(value);
    assert.deepEqual(seen, [0, 1, 4, 9, 16, 25]);
    const others: number[] = [];
    for await (const value of unordered) others.push(value);
    assert.deepEqual(
      others.sort((a, b) => a - b),
      [1, 4, 9],
    );
  } finally {
    await pool.terminate();
  }
});

test('pool: leaving an imap early closes its input, as a for-of would', async () => {
  const pool = new Pool(2);
  let closed = false;
  function* input() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  try {
    for await (const value of pool.imap(tasks.square, input())) if (value >= 4) break;
    assert.equal(closed, true);
    pool.close();
    await pool.join(); // and it holds the pool open no longer
  } finally {
    await pool.terminate();
  }
});

test('pool: bad arguments and misuse', async () => {
  assert.throws(() => new Pool(0), RangeError);
  assert.throws(() => new Pool(1.5), RangeError);
  assert.throws(() => new Pool({ maxtasksperchild: 0 }), RangeError);
  // Unknown options are refused, as Python's unexpected keywords (the executors spell this one so).
  assert.throws(
    () => new Pool({ maxTasksPerChild: 1 } as never),
    /Pool has no option 'maxTasksPerChild'; did you mean 'maxtasksperchild'\?/,
  );
  const pool = new Pool(1);
  try {
    await assert.rejects(pool.map(tasks.square, [1], { chunkSize: 2 } as never), /did you mean 'chunksize'/);
    await assert.rejects(pool.map(tasks.square, [1], 100 as never), /map\(\) takes an options object/);
    await assert.rejects(pool.apply(tasks.square, [1], { timeOut: 5 } as never), /apply\(\) has no option 'timeOut'/);
    assert.throws(() => pool.imap(tasks.square, [1], { chunk: 2 } as never), /imap\(\) has no option 'chunk'/);
    await assert.rejects(pool.join(), ProcessError);
    await assert.rejects(pool.map(tasks.square, [1], { chunksize: 0 }), RangeError);
    await assert.rejects(pool.apply(42 as never), TypeError);
    const local = 3;
    await assert.rejects(
      pool.apply(() => local),
      (error: unknown) => {
        assert.ok(error instanceof SerializationError);
        // Names the captured variable, and where the function is in the source (not tsx's output).
        const line =
          readFileSync(fileURLToPath(import.meta.url), 'utf8')
            .split('\n')
            .indexOf('      pool.apply(() => local),') + 1;
        assert.match(error.message, /^the task function: an anonymous function .*captures 'local'/);
        assert.ok(error.message.includes(`pool.test.ts:${line}:`), error.message);
        return true;
      },
    );
    await assert.rejects(pool.apply(tasks.add, [1, Symbol('x')]), SerializationError);
    assert.equal(await pool.apply(tasks.add, [1, 2]), 3, 'only that call failed');
    pool.close();
    await assert.rejects(pool.apply(tasks.square, [1]), ProcessError);
    await assert.rejects(pool.map(tasks.square, [1]), ProcessError);
    await pool.join();
  } finally {
    await pool.terminate();
  }
});

test('pool: terminate() rejects running tasks promptly and leaves no process behind', async () => {
  const pool = new Pool(2);
  const running = Promise.allSettled([
    pool.apply(tasks.forever),
    pool.apply(tasks.forever),
    pool.apply(tasks.square, [2]),
  ]);
  await pool.terminate();
  const outcomes = await running;
  assert.ok(outcomes.slice(0, 2).every((o) => o.status === 'rejected'));
  await pool.join();
  assert.deepEqual(childPids(), []);
});

test("pool: Pool(null) is Python's Pool(None): a worker per CPU", async () => {
  await using pool = new ThreadPool(null);
  assert.equal(pool.processes, cpuCount());
});

test('thread pool: workers are threads of this process; await using terminates', async () => {
  await using pool = new ThreadPool(2);
  assert.equal(await pool.apply(tasks.pid), process.pid);
  assert.deepEqual(await pool.map(tasks.square, [1, 2, 3]), [1, 4, 9]);
});

test('pool: an initializer that throws breaks the pool with a clear error instead of respawning for ever', async () => {
  const pool = new Pool({ processes: 2, initializer: tasks.badInit });
  await assert.rejects(pool.apply(tasks.square, [2]), (error: unknown) => {
    assert.ok(error instanceof ProcessError);
    assert.match((error as Error).message, /initializer threw.*TaskError: the initializer cannot start/);
    assert.ok((error as Error).cause instanceof tasks.TaskError);
    return true;
  });
  assert.throws(() => pool.applyAsync(tasks.square, [3]), /initializer threw/);
  // (a map of single items outstanding when the pool breaks fails too: its tasks all at once)
  const broken = new Pool({ processes: 1, initializer: tasks.badInit });
  await assert.rejects(broken.map(tasks.square, [1, 2, 3], { chunksize: 1 }), /initializer threw/);
  await broken.terminate();
  pool.close();
  await pool.join();
  assert.deepEqual(childPids(), []);
});

for (const context of ['spawn', 'thread'] as const) {
  test(`pool: workers that exit before they are ready break the pool after a few, instead of respawning for ever (${context})`, async () => {
    // Before: the task never settled while workers were restarted about ten times a second.
    const pool = new Pool({ processes: 1, initializer: tasks.exitInit, context });
    try {
      await assert.rejects(pool.apply(tasks.square, [2]), (error: unknown) => {
        assert.ok(error instanceof ProcessError);
        assert.match(
          (error as Error).message,
          /exited with code 3 before it was ready to take tasks.*as did the 2 before it/,
        );
        return true;
      });
      assert.throws(() => pool.applyAsync(tasks.square, [3]), /before it was ready/);
    } finally {
      await pool.terminate();
    }
  });
}

test("pool: a map item's result that cannot be sent is named by its place in the input, whatever the chunk size", async () => {
  const pool = new Pool(2);
  try {
    const items = [0, 1, 2, 3, 4];
    const rejectsAt = (promise: Promise<unknown>, path: string, what: string) =>
      assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof SerializationError, what);
        assert.ok(
          (error as Error).message.startsWith(`the task's result (at ${path}) is a Socket, which cannot be sent`),
          `${what}: ${(error as Error).message}`,
        );
        return true;
      });
    const drain = async (iterator: AsyncIterable<unknown>) => {
      for await (const _ of iterator);
    };
    for (const chunksize of [1, 2, 5]) {
      await rejectsAt(pool.map(tasks.unsendableAt3, items, { chunksize }), '[3].out', `map, chunksize ${chunksize}`);
      await rejectsAt(
        pool.starmap(
          tasks.unsendableAt3,
          items.map((x) => [x, true]),
          { chunksize },
        ),
        '[3]',
        `starmap of a whole unsendable result, chunksize ${chunksize}`,
      );
      await rejectsAt(
        drain(pool.imap(tasks.unsendableAt3, items, { chunksize })),
        '[3].out',
        `imap, chunksize ${chunksize}`,
      );
      await rejectsAt(
        pool.map(tasks.unsendableAt3, items, { chunksize, timeout: 30_000 }),
        '[3].out',
        `map with a timeout, chunksize ${chunksize}`,
      );
    }
    // apply() has no input list: the path is in the result itself.
    await rejectsAt(pool.apply(tasks.unsendableAt3, [3]), '.out', 'apply');
    assert.deepEqual(await pool.map(tasks.unsendableAt3, [0, 1, 2], { chunksize: 2 }), [0, 1, 2]);
  } finally {
    await pool.terminate();
  }
});

test('pool: an outcome the parent cannot decode fails its own task; the program goes on', async () => {
  const pool = new Pool(1);
  try {
    const boxed = taskRef(new URL('../fixtures/pool/worker-only.ts', import.meta.url), 'boxed');
    await assert.rejects(pool.apply(boxed, [1]), (error: unknown) => {
      assert.ok(error instanceof SerializationError);
      assert.match((error as Error).message, /worker-only module/);
      return true;
    });
    assert.equal(await pool.apply(tasks.square, [4]), 16, 'the pool still works');
  } finally {
    await pool.terminate();
  }
});

test('pool: a task error holding what cannot be sent keeps its class and message; an unsendable result says where', async () => {
  const pool = new Pool(1);
  try {
    await assert.rejects(pool.apply(tasks.failCarrying), (error: unknown) => {
      assert.ok(error instanceof tasks.TaskError, 'the class is kept (it was a SerializationError)');
      assert.equal((error as Error).message, 'disk quota exceeded');
      assert.equal((error as { code?: string }).code, 'EDQUOT', 'what can be sent is sent');
      assert.deepEqual((error as { notSent?: string[] }).notSent, ['stream', 'retry']);
      return true;
    });
    await assert.rejects(pool.apply(tasks.resultCarrying), (error: unknown) => {
      assert.ok(error instanceof SerializationError);
      assert.match((error as Error).message, /^the task's result \(at \.out\) is a Socket, which cannot be sent/);
      return true;
    });
    assert.equal(await pool.apply(tasks.square, [5]), 25);
  } finally {
    await pool.terminate();
  }
});

test('pool: a map whose later chunk cannot be sent rejects once; earlier chunks failing later raise nothing', async () => {
  const pool = new Pool(2);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await assert.rejects(pool.map(tasks.failOn, [7, 13, Symbol('x') as never], { chunksize: 1 }), SerializationError);
    // The chunks already sent fail in their workers; wait for that, then look.
    assert.equal(await pool.apply(tasks.square, [3]), 9);
    await pool.map(tasks.square, [1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await pool.terminate();
  }
});

test('pool: a finished pool removes its queues from /dev/shm (not only at exit)', async () => {
  // Segment names are mp-<program>-<creating pid>-…: count the ones this process made.
  const ours = segmentsOfThisProcess;
  const before = ours();
  for (let i = 0; i < 5; i++) {
    const pool = new ThreadPool(2);
    assert.deepEqual(await pool.map(tasks.square, [1, 2, 3]), [1, 4, 9]);
    if (i % 2) await pool.terminate();
    else {
      pool.close();
      await pool.join();
    }
  }
  // At most one new arena segment (shared small objects), not two rings per pool.
  assert.ok(ours() - before <= 1, `${ours() - before} new segments after 5 pools`);
});

test('pool: terminate() with large results unread leaves none of their segments in /dev/shm', async () => {
  // mp-<program>-<creating pid>-…: the segments of this program, the workers' included.
  const ours = () => readdirSync('/dev/shm').filter((name) => name.split('-')[1] === process.env.MP_PROGRAM).length;
  const before = ours();
  const pool = new Pool(2);
  await pool.apply(tasks.square, [1]);
  const results = Array.from({ length: 6 }, () => pool.apply(tasks.filled, [1, 200_000]).catch(() => {}));
  // Results pile up unread while this thread is busy: each one in a segment of its own.
  await new Promise((resolve) => setImmediate(resolve));
  const until = Date.now() + 1000;
  while (Date.now() < until);
  await pool.terminate();
  await Promise.all(results);
  assert.ok(ours() - before <= 1, `${ours() - before} new segments after terminate`);
});

test('pool: tasks with large arguments go out with the small ones, and one taken back before it is sent leaves no segment', async () => {
  const ours = () => readdirSync('/dev/shm').filter((name) => name.split('-')[1] === process.env.MP_PROGRAM).length;
  const first = new Pool(1); // (makes the arena of shared headers, which stays)
  await first.apply(tasks.square, [1]);
  first.close();
  await first.join();
  const before = ours();
  const pool = new Pool(2);
  await pool.apply(tasks.square, [1]);
  const big = 'x'.repeat(200_000); // (a segment of its own, beside the batch of small tasks)
  const length = (s: string) => s.length;
  const controller = new AbortController();
  const calls = [
    pool.apply(tasks.square, [3]),
    pool.apply(length, [big]),
    pool.apply(length, [`${big}y`], { signal: controller.signal }),
    pool.apply(tasks.square, [4]),
    pool.apply(length, [`${big}yz`]),
  ];
  controller.abort(); // (still in this tick's batch: taken back before anything is sent)
  const outcomes = await Promise.allSettled(calls);
  pool.close();
  await pool.join();
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name)),
    [9, 200_000, 'AbortError', 16, 200_002],
  );
  // The pool's segments went with it, the withdrawn task's too.
  assert.equal(ours() - before, 0, 'segments left after join');
});

test('pool: a result of a class from the main module, awaited by its top-level await, fails clearly instead of hanging', () => {
  const program = fileURLToPath(new URL('../fixtures/pool/main-class-tla.ts', import.meta.url));
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = (mode: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', program, mode], { encoding: 'utf8', env, timeout: 60_000 });
  const awaited = run('awaited');
  assert.equal(awaited.status, 0, `exit ${awaited.status} ${awaited.signal ?? ''}\n${awaited.stderr}`);
  assert.match(awaited.stdout, /awaited: SerializationError: .*'Point'.*top-level await.*module of its own/);
  assert.match(awaited.stdout, /later: true 4/, 'once the module has finished, the class is found');
  // A top-level await that waits for something else: the result comes when it has finished.
  const timer = run('timer');
  assert.equal(timer.status, 0, `exit ${timer.status} ${timer.signal ?? ''}\n${timer.stderr}`);
  assert.match(timer.stdout, /top-level await done\nmeanwhile: true 2/);
  // Meanwhile the other tasks' results arrive (they waited behind the undecodable one).
  const others = run('others');
  assert.equal(others.status, 0, `exit ${others.status} ${others.signal ?? ''}\n${others.stderr}`);
  assert.match(others.stdout, /others: 6/);
});

test('pool: promise callbacks a synchronous task leaves behind run, between tasks and when idle', async () => {
  for (const context of ['spawn', 'thread'] as const) {
    const pool = new Pool({ processes: 1, context });
    const queue = new Queue<string>();
    try {
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) seen.push(await pool.apply(tasks.countCallbacks));
      assert.deepEqual(seen, [0, 1, 2, 3], `${context}: each task's callback ran before the next task`);
      assert.equal(await pool.apply(tasks.leaveBehind, [queue, 7]), 7);
      assert.equal(await queue.get({ timeout: 10_000 }), 'left behind by 7', `${context}: idle worker ran it`);
      // A timer due long after the worker went idle still fires.
      assert.equal(await pool.apply(tasks.putLater, [queue, 600]), 'set');
      assert.equal(await queue.get({ timeout: 10_000 }), 'timer of 600 ms fired', `${context}: idle worker's timer`);
    } finally {
      queue.close();
      await pool.terminate();
    }
  }
});

test('pool: Buffer and typed-array results have memory of their own, small or large', async () => {
  const pool = new Pool(2);
  try {
    // Large ones travel in a segment the next large message reuses: none may share it.
    const large = await Promise.all([1, 2, 3, 4].map((v) => pool.apply(tasks.filled, [v, 100_000])));
    assert.deepEqual(
      large.map((b) => [b[0], b[99_999], b.buffer.byteLength, b.buffer instanceof SharedArrayBuffer]),
      [1, 2, 3, 4].map((v) => [v, v, 100_000, false]),
    );
    // Small ones arrive many to a batch: each has its own ArrayBuffer, as structuredClone gives.
    const small = await Promise.all(Array.from({ length: 300 }, (_, i) => pool.apply(tasks.filled, [i % 256, 32])));
    assert.ok(small.every((b, i) => b.length === 32 && b[31] === i % 256 && b.buffer.byteLength === 32));
  } finally {
    await pool.terminate();
  }
});

test('pool: map over blocks of numbers (int32 and float64 chunks), and one number at a time, gives each item as the number it was', async () => {
  const pool = new Pool(2);
  try {
    const ints = Array.from({ length: 50 }, (_, i) => i - 25);
    const floats = [...ints.map((x) => x / 3), -0, Number.NaN, 2 ** 31, -(2 ** 31) - 1, -(2 ** 53), Infinity];
    const describe = (x: number) => (Object.is(x, -0) ? 'minus zero' : typeof x === 'number' ? x * 2 : 'not a number');
    for (const items of [ints, floats]) {
      const expected = items.map(describe);
      assert.deepStrictEqual(await pool.map(describe, items, { chunksize: 20 }), expected);
      // (one number per task has a writer and a reader of its own)
      assert.deepStrictEqual(await pool.map(describe, items, { chunksize: 1 }), expected);
      assert.deepStrictEqual(await Promise.all(items.map((x) => pool.apply(describe, [x]))), expected);
    }
  } finally {
    await pool.terminate();
  }
});

test('pool: map results that are numbers, then not (a string, a promise) part-way through a chunk', async () => {
  const pool = new Pool(2);
  try {
    const items = Array.from({ length: 60 }, (_, i) => i);
    const numbers = (x: number) => (x === 7 ? -0 : x === 8 ? Number.NaN : x / 4);
    const mixed = (x: number) => (x === 30 ? `item ${x}` : x * 2);
    const later = (x: number) => (x >= 45 ? Promise.resolve(x + 0.5) : x);
    for (const fn of [numbers, mixed, later] as Array<(x: number) => unknown>) {
      assert.deepStrictEqual(await pool.map(fn, items, { chunksize: 60 }), await Promise.all(items.map(fn)));
    }
  } finally {
    await pool.terminate();
  }
});

test("pool: task functions the pool's function table cannot hold (too many, too large) travel in their tasks", async () => {
  const pool = new Pool(2);
  try {
    // 300 distinct functions of ~1 KB each: more than the table's 256 KB, so the later ones
    // go inline; one of 20 KB, larger than an entry may be.
    // (the padding is a string the function holds: a comment would not be sent)
    const padding = (length: number) => `'${'a'.repeat(length)}'.length * 0`;
    const many = Array.from({ length: 300 }, (_, i) => new Function(`return (x) => x + ${i} + ${padding(1000)}`)());
    const large = new Function(`return (x) => x * 2 + ${padding(20_000)}`)();
    const expected = (base: number) => many.map((_, i) => base + i);
    assert.deepEqual(await Promise.all(many.map((fn) => pool.apply(fn, [1000]))), expected(1000));
    assert.equal(await pool.apply(large, [21]), 42);
    // Again, with the table full: each function from the table or inline, none mixed up.
    assert.deepEqual(await Promise.all(many.map((fn) => pool.apply(fn, [5]))), expected(5));
    assert.deepEqual(await pool.map(many[299], [1, 2, 3], { chunksize: 1 }), [300, 301, 302]);
  } finally {
    pool.close();
    await pool.join();
  }
});

test('pool: a burst of results larger than the result rings hold all arrive, in the ring or on the queue', async () => {
  const pool = new Pool(2);
  try {
    // 3000 results of ~1 KB while this thread is busy submitting: 3 MB against two 256 KiB rings.
    const text = (i: number) => `${i}:${'x'.repeat(1000)}`;
    const results = await Promise.all(Array.from({ length: 3000 }, (_, i) => pool.apply(text, [i])));
    assert.deepEqual(
      results,
      Array.from({ length: 3000 }, (_, i) => text(i)),
    );
  } finally {
    pool.close();
    await pool.join();
  }
});

test('pool: chunks of one item (their result travels alone) give arrays, objects and promises as they were, and fail at their item', async () => {
  const pool = new Pool(2);
  try {
    const items = [1, 2, 3];
    assert.deepEqual(await pool.map((x: number) => [x, x], items, { chunksize: 1 }), [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    assert.deepEqual(await pool.map((x: number) => ({ x }), items, { chunksize: 1 }), [{ x: 1 }, { x: 2 }, { x: 3 }]);
    assert.deepEqual(await pool.map(async (x: number) => `${x}`, items, { chunksize: 1 }), ['1', '2', '3']);
    assert.deepEqual(await pool.map((x: number) => x / 2, items, { chunksize: 1 }), [0.5, 1, 1.5]);
    assert.deepEqual(
      await pool.starmap(tasks.add, [
        [1, 2],
        [3, 4],
      ]),
      [3, 7],
    );
    const numbers = Array.from({ length: 12 }, (_, i) => i);
    await assert.rejects(pool.map(tasks.failOn, numbers, { chunksize: 1 }), (error: unknown) => {
      assert.ok(error instanceof tasks.TaskError);
      assert.equal((error as Error).message, 'unlucky 7');
      return true;
    });
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const value of pool.imap(tasks.failOn, numbers, { chunksize: 1 })) seen.push(value as number);
    }, tasks.TaskError);
    assert.deepEqual(
      seen,
      numbers.slice(0, 7).map((x) => tasks.failOn(x)),
    );
  } finally {
    await pool.terminate();
  }
});

test('pool: a map of single items takes each result by its task id: in order, counted, past a submission made in between', async () => {
  // (chunks of one item have no slot each: the call finds an item by how far its task id is
  // from the first one's, and ids come round after MAX_TASK_ID)
  assert.equal(idsBetween(5, 5), 0);
  assert.equal(idsBetween(5, 9), 4);
  assert.equal(idsBetween(MAX_TASK_ID, 1), 1);
  assert.equal(idsBetween(MAX_TASK_ID - 1, 2), 3);
  const pool = new Pool(2);
  try {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const progress: number[] = [];
    const out = await pool.map(tasks.square, items, { chunksize: 1, onProgress: (done) => progress.push(done) });
    assert.deepEqual(
      out,
      items.map((x) => x * x),
    );
    assert.deepEqual(
      progress,
      items.map((i) => i + 1),
    );
    // Results that come back out of order (a slow first half, on two workers) land in place.
    const slow = Array.from({ length: 40 }, (_, i) => i);
    assert.deepEqual(
      await pool.map(tasks.slowSquare, slow, { chunksize: 1 }),
      slow.map((x) => x * x),
    );
    // A task submitted while the map reads its items (here by a getter) takes an id between two
    // of the map's: the items after it still get their own results.
    const odd = [0, 1, 2, 3, 4, 5, 6, 7];
    let between: Promise<number> | undefined;
    Object.defineProperty(odd, 3, {
      get: () => {
        between ??= pool.apply(tasks.square, [10]);
        return 3;
      },
      enumerable: true,
    });
    assert.deepEqual(await pool.map(tasks.square, odd, { chunksize: 1 }), [0, 1, 4, 9, 16, 25, 36, 49]);
    assert.equal(await between, 100);
    await assert.rejects(pool.map(tasks.failOn, [1, 7, 2], { chunksize: 1 }), /unlucky 7/);
  } finally {
    await pool.terminate();
  }
});

test('pool: starting a pool, and a process whose target is a taskRef, does not ask V8 where any function is defined', () => {
  const program = fileURLToPath(new URL('../fixtures/pool/task-refs-only.ts', import.meta.url));
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--import', 'tsx', program], { encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}\n${run.stderr}`);
  assert.match(run.stdout, /square: 9/);
  assert.match(run.stdout, /exit code: 0/);
  assert.match(run.stdout, /inspector loaded: false/);
});

test("pool: an idle worker loads a new task function while it waits, not when that function's first task reaches it", async () => {
  const board = createBoard(1);
  process.env.MP_TEST_IMPORT_BOARD = board.name; // (read by the workers as they import the module)
  const pool = new Pool(2);
  try {
    // One task: one worker imports the module to run it, the other loads it while idle.
    assert.equal(await pool.apply(counted.double, [21]), 42);
    await board.waitFor(0, 2);
  } finally {
    delete process.env.MP_TEST_IMPORT_BOARD;
    pool.close();
    await pool.join();
    board.close();
  }
});

test('pool: a task module whose import ends the worker fails its task once; idle workers do not import it ahead', async () => {
  const pool = new Pool(2);
  try {
    await assert.rejects(pool.apply(exitsOnImport.never, []), (error: unknown) => {
      assert.ok(error instanceof ProcessError);
      assert.match((error as Error).message, /exited with code 3 while running this task/);
      return true;
    });
    // Tasks wake the idle workers, which then look at the function table: none imports it.
    for (let i = 0; i < 20; i++) assert.equal(await pool.apply(tasks.square, [i]), i * i);
    const workers = activeChildren().map((child) => child.name);
    assert.equal(workers.length, 2);
    assert.ok(workers.includes('PoolWorker-3'), `one worker replaced, once: ${workers.join(', ')}`);
    assert.ok(!workers.some((name) => /PoolWorker-([4-9]|\d\d)/.test(name)), `no more: ${workers.join(', ')}`);
  } finally {
    pool.close();
    await pool.join();
  }
});

test('pool: after a few workers have died idle, their replacements no longer load task functions ahead', async () => {
  const board = createBoard(1);
  process.env.MP_TEST_IMPORT_BOARD = board.name; // (read by the workers as they import the module)
  const pool = new Pool(2);
  const workers = () => activeChildren().filter((child) => child.name.startsWith('PoolWorker'));
  try {
    assert.equal(await pool.apply(tasks.square, [2]), 4);
    // Four idle workers killed: the last two replacements start after the third death. Each
    // victim has taken tasks (a worker killed before it is ready counts otherwise).
    const bothReady = async () => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const live = workers().map((w) => w.pid);
        const served = new Set(await Promise.all(Array.from({ length: 8 }, () => pool.apply(tasks.slowPid, []))));
        if (live.length === 2 && live.every((pid) => pid !== undefined && served.has(pid))) return;
        assert.ok(Date.now() < deadline, `both workers took tasks: ${live} served by ${[...served]}`);
      }
    };
    for (let kill = 0; kill < 4; kill++) {
      await bothReady();
      // (the oldest: after four, both workers started after the third death)
      const number = (name: string) => Number(name.split('-')[1]);
      const victim = workers().sort((a, b) => number(a.name) - number(b.name))[0]!;
      victim.kill();
      await victim.join(10_000);
    }
    await bothReady();
    assert.equal(await pool.apply(counted.double, [4]), 8);
    // Both workers go idle between two bursts of tasks, and then look at the table: only the
    // one that ran the function imported its module.
    await bothReady();
    await bothReady();
    assert.equal(board.get(0), 1);
  } finally {
    delete process.env.MP_TEST_IMPORT_BOARD;
    pool.close();
    await pool.join();
    board.close();
  }
});
