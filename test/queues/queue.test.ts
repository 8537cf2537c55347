import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  Empty,
  Full,
  JoinableQueue,
  Process,
  ProcessError,
  Queue,
  SerializationError,
  SimpleQueue,
} from 'multiprocessing';
import { Channel, LARGE_MESSAGE, type Message } from '../../src/queues/channel.ts';
import { kChannel, queueWithRing, Queue as SourceQueue } from '../../src/queues/queue.ts';
import * as workers from '../fixtures/queues/workers.ts';
import { childPids, createBoard, segmentsOfThisProcess, startMethods } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

test('queue: FIFO, qsize, empty, full, nowait variants', async () => {
  const q = new Queue<number | string | object>(3);
  assert.equal(q.empty(), true);
  await q.put(1);
  q.putSync('two');
  q.putNowait({ three: 3 });
  assert.equal(q.qsize(), 3);
  assert.equal(q.full(), true);
  assert.throws(() => q.putNowait(4), Full);
  await assert.rejects(q.put(4, { timeout: 20 }), Full);
  await assert.rejects(q.put(4, { block: false }), Full);
  assert.equal(await q.get(), 1);
  assert.equal(q.getSync(), 'two');
  assert.deepEqual(q.getNowait(), { three: 3 });
  assert.throws(() => q.getNowait(), Empty);
  await assert.rejects(q.get({ timeout: 20 }), Empty);
  await assert.rejects(q.get({ block: false }), Empty);
  assert.throws(() => q.getSync({ timeout: 10 }), Empty);
  assert.equal(q.full(), false);
});

test('queue: records of every size wrap around the ring intact (a header never straddles its end)', () => {
  const queue = new Queue<string>();
  const sent: string[] = [];
  let got = 0;
  // Up to ~600 bytes queued at a time in a 64 KiB ring: it wraps dozens of times, with the
  // write position landing on every aligned offset.
  for (let i = 0; i < 20_000; i++) {
    const item = 'x'.repeat((i * 7) % 97) + i;
    sent.push(item);
    queue.putSync(item);
    if (i % 4 === 3) {
      while (got < sent.length - 2) assert.equal(queue.getSync(), sent[got++]);
    }
  }
  while (got < sent.length) assert.equal(queue.getSync(), sent[got++]);
  queue.close();
});

test('queue channel: a message under a quarter of a larger ring goes through the ring, not a segment of its own', () => {
  const item = new Uint8Array(100_000).fill(3);
  const roomy = queueWithRing<Uint8Array>(512 * 1024);
  const plain = new SourceQueue<Uint8Array>();
  try {
    assert.equal(roomy[kChannel].largeFrom, 128 * 1024);
    assert.equal(plain[kChannel].largeFrom, LARGE_MESSAGE);
    const huge = Channel.create(0, 4 * 1024 * 1024);
    assert.equal(huge.largeFrom, 256 * 1024, 'a record copied under the lock stays under 256 KiB');
    huge.unlinkSegments();
    const before = segmentsOfThisProcess();
    roomy.putSync(item);
    assert.equal(segmentsOfThisProcess(), before, 'no segment for a 100 KB message in a 512 KiB ring');
    plain.putSync(item);
    assert.equal(segmentsOfThisProcess(), before + 1, 'a segment for it in a 64 KiB ring');
    assert.deepEqual(roomy.getSync(), item);
    assert.deepEqual(plain.getSync(), item);
  } finally {
    roomy.close();
    plain.close();
  }
  assert.throws(() => Channel.create(0, 100_000), RangeError);
  assert.throws(() => Channel.create(0, 1024), RangeError);
});

test('queue channel: announce() wakes the getter sleeping on the channel, though only the first call after it slept makes a wake-up', async () => {
  const queue = new SourceQueue<unknown>();
  const channel = queue[kChannel];
  try {
    for (let round = 0; round < 20; round++) {
      const seq = channel.seq('get');
      // (registered as a sleeper on `seq` before the promise is returned; asleep once the
      // native waiter runs, which the tick below usually lets it do)
      const sleeping = channel.waitAsync('get', seq, 10_000, undefined, { spin: false });
      if (round % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
      channel.announce();
      channel.announce(); // (the word is off `seq` already: no second wake-up, and none needed)
      assert.equal(await sleeping, true, `round ${round}: the getter was not woken (its wait timed out)`);
    }
  } finally {
    queue.close();
  }
});

test('queue channel: takeMany takes several records at once, in order, with tags, large and raw ones too', () => {
  const queue = new SourceQueue<unknown>();
  const channel = queue[kChannel];
  const text = (s: string) => new TextEncoder().encode(s);
  const big = new Uint8Array(LARGE_MESSAGE + 10).fill(7);
  channel.tryPut(text('a'), false, 1);
  channel.tryPut(big, false, 2);
  channel.tryPut(text('c'), true, 3);
  channel.tryPut(text('d'), false, 4);
  channel.tryPut(text('e'), false, 5);
  assert.equal(channel.withdraw(4), true);
  /** What takeMany hands over, in order: small records as text, the rest as messages. */
  const take = (max: number) => {
    const got: Array<{ tag: number; text?: string; message?: Message }> = [];
    const count = channel.takeMany(max, {
      record: (span, start, end, tag) => got.push({ tag, text: Buffer.from(span.subarray(start, end)).toString() }),
      message: (message, tag) => got.push({ tag, message }),
    });
    assert.equal(count, got.length);
    return got;
  };
  const first = take(3);
  assert.deepEqual(
    first.map((r) => r.tag),
    [1, 2, 3],
  );
  assert.equal(first[0]!.text, 'a');
  const large = first[1]!.message!;
  assert.equal(large.bytes.length, big.length);
  assert.ok(large.bytes.every((b) => b === 7));
  large.release?.();
  assert.equal(first[2]!.message!.raw, true);
  assert.equal(first[2]!.message!.bytes.buffer.byteLength, 1, 'raw bytes in a buffer of their own');
  const rest = take(10);
  assert.deepEqual(rest, [{ tag: 5, text: 'e' }], 'the withdrawn record is skipped');
  assert.deepEqual(take(10), []);
  assert.equal(channel.size, 0);
  queue.close();
});

test('queue channel: small records come out as plain 8-aligned Uint8Arrays, each with bytes of its own', () => {
  const queue = new SourceQueue<unknown>();
  const channel = queue[kChannel];
  const got: Uint8Array[] = [];
  // Enough records to fill several of the arrays they are copied into.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 100; i++) channel.tryPut(new Uint8Array(1 + ((round * 100 + i) % 300)).fill(i), false, 1);
    for (let i = 0; i < 100; i++) got.push(channel.tryGet()!.bytes);
  }
  got.forEach((bytes, n) => {
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'not a Buffer');
    assert.equal(bytes.byteOffset % 8, 0, 'a block of numbers can be read in place');
    assert.equal(bytes.length, 1 + (n % 300));
    assert.ok(
      bytes.every((b) => b === n % 100),
      `record ${n} kept its bytes`,
    );
  });
  queue.close();
});

test("queue channel: tryGetInto copies small records into the reader's array (grown when short), tags them, and hands large and raw ones over as messages", () => {
  const queue = new SourceQueue<unknown>();
  const channel = queue[kChannel];
  const text = (s: string) => new TextEncoder().encode(s);
  const big = new Uint8Array(LARGE_MESSAGE + 10).fill(7);
  channel.tryPut(text('abc'), false, 11);
  channel.tryPut(text('x'.repeat(40)), false, 12);
  channel.tryPut(big, false, 13);
  channel.tryPut(text('raw'), true, 14);
  channel.tryPut(text('gone'), false, 15);
  channel.tryPut(text('z'), false, 16);
  assert.equal(channel.withdraw(15), true);
  const scratch = { bytes: new Uint8Array(8) };
  const first = scratch.bytes;
  const tags = new Int32Array(2);
  const tag = { array: tags, index: 1 };

  assert.equal(channel.tryGetInto(scratch, tag), 3);
  assert.equal(scratch.bytes, first, 'a record that fits goes into the same array');
  assert.equal(Buffer.from(scratch.bytes.subarray(0, 3)).toString(), 'abc');
  assert.equal(tags[1], 11);

  assert.equal(channel.tryGetInto(scratch, tag), 40);
  assert.notEqual(scratch.bytes, first, 'a longer record gets a longer array');
  assert.ok(scratch.bytes.length >= 40);
  assert.equal(Buffer.from(scratch.bytes.subarray(0, 40)).toString(), 'x'.repeat(40));
  assert.equal(tags[1], 12);

  const large = channel.tryGetInto(scratch, tag);
  assert.equal(typeof large, 'object', 'a large record comes as a message');
  const message = large as Message;
  assert.equal(message.bytes.length, big.length);
  assert.ok(message.bytes.every((b) => b === 7));
  message.release?.();
  assert.equal(tags[1], 13);

  const raw = channel.tryGetInto(scratch, tag) as Message;
  assert.equal(raw.raw, true);
  assert.equal(Buffer.from(raw.bytes).toString(), 'raw');
  assert.equal(raw.bytes.buffer.byteLength, 3, 'raw bytes in a buffer of their own');
  assert.equal(tags[1], 14);

  assert.equal(channel.tryGetInto(scratch, tag), 1, 'the withdrawn record is skipped');
  assert.equal(scratch.bytes[0], 'z'.charCodeAt(0));
  assert.equal(tags[1], 16);
  assert.equal(tags[0], 0, 'only the slot named is written');
  assert.equal(channel.tryGetInto(scratch, tag), undefined);
  queue.close();
});

test('queue channel: large records withdrawn in the ring are skipped by tryGet and takeMany, and their segments reused', () => {
  const ours = segmentsOfThisProcess;
  const queue = new SourceQueue<unknown>();
  const channel = queue[kChannel];
  const text = (s: string) => new TextEncoder().encode(s);
  const big = new Uint8Array(LARGE_MESSAGE + 10).fill(7);
  const before = ours();
  channel.tryPut(big, false, 1);
  channel.tryPut(text('b'), false, 2);
  channel.tryPut(big, false, 3);
  channel.tryPut(text('d'), false, 4);
  assert.equal(ours() - before, 2, 'a segment for each large record');
  assert.equal(channel.withdraw(1), true);
  assert.equal(channel.withdraw(3), true);
  const got = channel.tryGet()!;
  assert.equal(Buffer.from(got.bytes).toString(), 'b', 'tryGet skipped the withdrawn record');
  const tags: number[] = [];
  channel.takeMany(10, {
    record: (_span, _start, _end, tag) => tags.push(tag),
    message: (_message, tag) => tags.push(tag),
  });
  assert.deepEqual(tags, [4], 'takeMany skipped the withdrawn record');
  // Both segments were given back: two more large records use them, no new one is made.
  channel.tryPut(big, false, 5);
  channel.tryPut(big, false, 6);
  assert.equal(ours() - before, 2, "the withdrawn records' segments were reused");
  for (let i = 0; i < 2; i++) channel.tryGet()!.release?.();
  queue.close();
});

test('queue: received typed arrays and Buffers have memory of their own (large ones too)', async () => {
  const queue = new Queue<Uint8Array>();
  queue.putSync(new Uint8Array([1, 2, 3]));
  queue.putSync(Buffer.alloc(100_000, 1));
  queue.putSync(Buffer.alloc(100_000, 2));
  const small = queue.getSync();
  assert.deepEqual([...small], [1, 2, 3]);
  assert.equal(small.buffer.byteLength, 3, 'not a view of a pooled or shared buffer');
  const first = queue.getSync();
  const second = queue.getSync();
  queue.putSync(Buffer.alloc(100_000, 3)); // reuses the segment the first large one came in
  queue.getSync();
  assert.deepEqual([first[0], first[99_999], second[0]], [1, 1, 2]);
  assert.equal(first.buffer instanceof SharedArrayBuffer, false);
  queue.close();
});

test('queue: a blocked put goes through when a get makes room', async () => {
  const q = new Queue<number>(1);
  await q.put(1);
  const pending = q.put(2, { timeout: 5000 });
  assert.equal(await q.get(), 1);
  await pending;
  assert.equal(await q.get(), 2);
});

test('queue: bad arguments and misuse', async () => {
  assert.throws(() => new Queue(-1), RangeError);
  assert.throws(() => new Queue(1.5), RangeError);
  const q = new Queue<unknown>();
  await assert.rejects(q.get({ timeout: -1 }), RangeError);
  const local = 5;
  await assert.rejects(
    q.put(() => local),
    SerializationError,
  );
  await q.put('still usable');
  assert.equal(await q.get(), 'still usable');
  q.close();
  await assert.rejects(q.put(1), ProcessError);
  await q.joinThread();
  const fresh = new Queue();
  await assert.rejects(fresh.joinThread(), ProcessError);
});

test('queue: 10 000 pending gets in one process are each served exactly once, in order', async () => {
  const q = new Queue<number>();
  const received: number[] = [];
  const gets = Array.from({ length: 10_000 }, () => q.get().then((item) => received.push(item)));
  for (let i = 0; i < 10_000; i++) q.putSync(i);
  await Promise.all(gets);
  assert.equal(received.length, 10_000);
  assert.deepEqual(received.slice(0, 3), [0, 1, 2]);
  assert.equal(new Set(received).size, 10_000);
});

test('queue: a get aborted by its signal frees its place', async () => {
  const q = new Queue<number>();
  const controller = new AbortController();
  const first = q.get({ signal: controller.signal });
  const second = q.get({ timeout: 5000 });
  controller.abort();
  await assert.rejects(first, { name: 'AbortError' });
  await q.put(7);
  assert.equal(await second, 7);
});

test('joinable queue: join waits for taskDone; too many taskDone throws', async () => {
  const q = new JoinableQueue<number>();
  await assert.rejects(q.join(100 as never), /join\(\) takes an options object/, 'not a timeout: it used to wait');
  await q.put(1);
  await q.put(2);
  let joined = false;
  const join = q.join().then(() => {
    joined = true;
  });
  await q.get();
  q.taskDone();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(joined, false);
  await q.get();
  q.taskDone();
  await join;
  assert.equal(joined, true);
  assert.throws(() => q.taskDone(), ProcessError);
});

test('simple queue: put, get, empty', async () => {
  const q = new SimpleQueue<string>();
  assert.equal(q.empty(), true);
  await q.put('a');
  assert.equal(q.empty(), false);
  assert.equal(await q.get(), 'a');
  // Python's SimpleQueue.get() takes no timeout; one given here used to be ignored (a wait for ever).
  assert.throws(() => (q.get as (o: unknown) => Promise<string>)({ timeout: 100 }), /takes no arguments/);
  q.close();
});

test('queue: a queue travels inside another queue', async () => {
  const outer = new Queue<Queue<string>>();
  const inner = new Queue<string>();
  await outer.put(inner);
  const received = await outer.get();
  await received.put('through the received handle');
  assert.equal(await inner.get(), 'through the received handle');
});

for (const context of startMethods) {
  describe(`queues across processes (${context})`, () => {
    test('two producers, two consumers: every item delivered exactly once', async () => {
      const tasks = new Queue<number | null>(50);
      const results = new Queue<number>();
      const producers = [0, 1000].map(
        (from) => new Process({ target: workers.produce, args: [tasks, from, 1000], context }),
      );
      const consumers = [0, 1].map(() => new Process({ target: workers.consume, args: [tasks, results], context }));
      for (const p of [...producers, ...consumers]) p.start();
      await Promise.all(producers.map((p) => p.join()));
      await tasks.put(null);
      await tasks.put(null);
      const sums = [await results.get({ timeout: 30_000 }), await results.get({ timeout: 30_000 })];
      await Promise.all(consumers.map((c) => c.join()));
      assert.equal(sums[0]! + sums[1]!, (1999 * 2000) / 2);
    });

    test('a 32 MiB item crosses through shared memory intact', async () => {
      const q = new Queue<Uint8Array>();
      const p = new Process({ target: workers.putBig, args: [q, 32 * 1024 * 1024], context });
      p.start();
      const big = await q.get({ timeout: 30_000 });
      await p.join();
      assert.equal(big.length, 32 * 1024 * 1024);
      assert.equal(big[0], 1);
      assert.equal(big[big.length - 1], 2);
    });

    test('a joinable queue of work: join() returns when workers have done everything', async () => {
      const tasks = new JoinableQueue<number>();
      const done = new Queue<number>();
      const workerProcess = new Process({ target: workers.work, args: [tasks, done], context, daemon: true });
      workerProcess.start();
      for (let i = 1; i <= 20; i++) await tasks.put(i);
      await tasks.join();
      assert.equal(done.qsize(), 20);
      workerProcess.terminate();
      await workerProcess.join();
    });

    test('a three-stage pipeline connected by queues', async () => {
      const a = new Queue<number | null>();
      const b = new Queue<number | null>();
      const c = new Queue<number | null>();
      const stages = [
        new Process({ target: workers.relay, args: [a, b, 2], context }),
        new Process({ target: workers.relay, args: [b, c, 10], context }),
      ];
      for (const s of stages) s.start();
      for (let i = 1; i <= 5; i++) await a.put(i);
      await a.put(null);
      const out: number[] = [];
      for (;;) {
        const item = await c.get({ timeout: 30_000 });
        if (item === null) break;
        out.push(item);
      }
      await Promise.all(stages.map((s) => s.join()));
      assert.deepEqual(out, [20, 40, 60, 80, 100]);
    });
  });
}

test('queue: a consumer SIGKILLed while waiting loses nothing', async () => {
  const q = new Queue<number>();
  const board = createBoard(1);
  const victim = new Process({ target: workers.waitForItem, args: [q, board.name, 0] });
  victim.start();
  await board.waitFor(0, 1);
  victim.kill();
  await victim.join();
  await q.put(5);
  assert.equal(await q.get({ timeout: 1000 }), 5);
  board.close();
});

test('queue: a producer SIGKILLed in the middle of a large put corrupts nothing and blocks no one', async () => {
  const q = new Queue<Uint8Array | string>();
  const board = createBoard(1);
  const size = 192 * 1024 * 1024;
  const victim = new Process({ target: workers.putHugeAfterSignal, args: [q, board.name, 0, size] });
  victim.start();
  await board.waitFor(0, 1, 30_000);
  victim.kill();
  await victim.join();
  assert.equal(victim.exitcode, -9);
  // Whatever the kill interrupted, the queue holds either the whole item or nothing of it,
  // and other producers and consumers go on.
  const before = q.qsize();
  assert.ok(before === 0 || before === 1, `qsize ${before}`);
  await q.put('after');
  if (before === 1) {
    const item = (await q.get({ timeout: 5000 })) as Uint8Array;
    assert.equal(item.length, size);
    assert.equal(item[size - 1], 7);
  }
  assert.equal(await q.get({ timeout: 5000 }), 'after');
  board.close();
});
