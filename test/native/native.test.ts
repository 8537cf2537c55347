import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { existsSync, readFile, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { waitAsync, waitSync, wake } from '../../src/native/futex.ts';
import { attachSegment, createSegment, unlinkSegment } from '../../src/shm/segment.ts';

function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/Threads:\s+(\d+)/.exec(status)![1]);
}

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const noTestContext = () => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
};

test('native: a segment is a real SharedArrayBuffer shared by name', () => {
  const a = createSegment(4096);
  try {
    assert.ok(a.buffer instanceof SharedArrayBuffer);
    assert.equal(a.buffer.byteLength, 4096);
    assert.ok(existsSync(`/dev/shm/${a.name}`));
    const b = attachSegment(a.name);
    new Int32Array(a.buffer)[3] = 77;
    assert.equal(Atomics.load(new Int32Array(b.buffer), 3), 77);
  } finally {
    assert.equal(unlinkSegment(a.name), true);
  }
  assert.equal(existsSync(`/dev/shm/${a.name}`), false);
  assert.throws(() => attachSegment(a.name), /no shared memory segment named/);
  assert.throws(() => createSegment(0), RangeError);
  assert.throws(() => createSegment(-5), RangeError);
  assert.throws(() => attachSegment('bad/name'), TypeError);
});

test('native: sync wait returns not-equal, timed-out, and wakes across processes', async () => {
  const seg = createSegment(64);
  try {
    const words = new Int32Array(seg.buffer);
    assert.equal(waitSync(seg.buffer, 0, 5, 10), 'not-equal');
    assert.equal(waitSync(seg.buffer, 0, 0, 10), 'timed-out');
    const child = fork(new URL('../fixtures/native/futex-child.ts', import.meta.url).pathname, [seg.name], {
      execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
      env: noTestContext(),
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    while (Atomics.load(words, 2) === 0) await waitAsync(seg.buffer, 8, 0, { timeout: 20_000 });
    Atomics.store(words, 0, 41);
    wake(seg.buffer, 0);
    while (Atomics.load(words, 1) === 0) {
      const outcome = await waitAsync(seg.buffer, 4, 0, { timeout: 20_000 });
      assert.notEqual(outcome, 'timed-out');
    }
    assert.equal(Atomics.load(words, 1), 42);
    assert.equal(await exited, 0);
  } finally {
    unlinkSegment(seg.name);
  }
});

test('native: async waits resolve when the word changes and is woken, on timeout and on abort', async () => {
  const seg = createSegment(64);
  try {
    const words = new Int32Array(seg.buffer);
    assert.equal(await waitAsync(seg.buffer, 0, 1), 'not-equal');
    assert.equal(await waitAsync(seg.buffer, 0, 0, { timeout: 0 }), 'timed-out');
    assert.equal(await waitAsync(seg.buffer, 0, 0, { timeout: 20 }), 'timed-out');
    const changed = waitAsync(seg.buffer, 8, 0);
    setImmediate(() => {
      Atomics.store(words, 2, 1);
      wake(seg.buffer, 8);
    });
    assert.equal(await changed, 'ok');
    const controller = new AbortController();
    const aborted = waitAsync(seg.buffer, 12, 0, { signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted, { name: 'AbortError' });
    await assert.rejects(waitAsync(seg.buffer, 12, 0, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  } finally {
    unlinkSegment(seg.name);
  }
});

test('native: 10 000 pending async waits in one process, flat memory, no thread per wait, all served', async () => {
  const seg = createSegment(4 * 1024);
  try {
    const threadsBefore = threadCount();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const same = Array.from({ length: 10_000 }, () => waitAsync(seg.buffer, 0, 0, { timeout: 60_000 }));
    const distinct = Array.from({ length: 1000 }, (_, i) => waitAsync(seg.buffer, 4 * (i + 1), 0, { timeout: 60_000 }));
    // The event loop stays responsive and libuv's thread pool stays free.
    const file = await new Promise<Buffer>((resolve, reject) =>
      readFile('/proc/self/status', (error, data) => (error ? reject(error) : resolve(data))),
    );
    assert.ok(file.length > 0);
    const threadsDuring = threadCount();
    // 1000 distinct words need ceil(1000 / 127) native threads, 10 000 waits on one word need one.
    assert.ok(threadsDuring - threadsBefore <= 10, `threads grew from ${threadsBefore} to ${threadsDuring}`);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    assert.ok(rssGrowth < 64 * 1024 * 1024, `rss grew by ${rssGrowth} bytes`);
    const words = new Int32Array(seg.buffer);
    for (let i = 0; i <= 1000; i++) {
      Atomics.store(words, i, 1);
      wake(seg.buffer, 4 * i);
    }
    const results = await Promise.all([...same, ...distinct]);
    assert.equal(results.length, 11_000);
    assert.ok(results.every((r) => r === 'ok'));
  } finally {
    unlinkSegment(seg.name);
  }
});

test('native: the addon loads in worker threads and waits there', async () => {
  const seg = createSegment(64);
  try {
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const b = require(workerData.addon);
       const buf = b.open('/' + workerData.name, 0, false);
       const w = b.createWaiter((ids) => { parentPort.postMessage(ids); w.ref(false); });
       w.ref(true);
       w.add(7, buf, 0, 0);
       parentPort.postMessage('armed');`,
      {
        eval: true,
        workerData: { name: seg.name, addon: require.resolve('../../build/Release/multiprocessing.node') },
      },
    );
    const messages: unknown[] = [];
    await new Promise<void>((resolve) =>
      worker.on('message', (m) => {
        messages.push(m);
        if (m === 'armed') {
          Atomics.store(new Int32Array(seg.buffer), 0, 1);
          wake(seg.buffer, 0);
        } else resolve();
      }),
    );
    assert.deepEqual(messages, ['armed', [7]]);
    assert.equal(await new Promise((resolve) => worker.once('exit', resolve)), 0);
  } finally {
    unlinkSegment(seg.name);
  }
});

async function readLines(child: ReturnType<typeof spawn>, count: number): Promise<string[]> {
  const lines: string[] = [];
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only got ${lines.length} of ${count} lines`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= count) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
  });
}

async function gone(path: string, timeout: number): Promise<void> {
  const start = Date.now();
  while (existsSync(path)) {
    if (Date.now() - start > timeout) throw new Error(`${path} still exists after ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('tracker: segments of a SIGKILLed program tree are removed once the tree is gone', async () => {
  const env = noTestContext();
  delete env.MP_TRACKER_FD;
  delete env.MP_PROGRAM;
  const program = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => !a.startsWith('--test')),
      new URL('../fixtures/native/segment-holder.ts', import.meta.url).pathname,
      'withChild',
    ],
    // (a process group of its own: if the test fails half-way, the finally ends the program and
    // its child, whichever are left)
    { stdio: ['ignore', 'pipe', 'inherit'], env, detached: true },
  );
  try {
    const lines = await readLines(program, 2);
    const [main, child] = ['main', 'child'].map((role) => {
      const [, name, pid, tracker] = lines.find((line) => line.startsWith(role))!.split(' ');
      return { name: name!, pid: Number(pid), tracker };
    });
    // The child registered its segment on its parent's tracker (it inherited the pipe).
    assert.equal(child!.tracker, main!.tracker);
    const names = [main!.name, child!.name];
    for (const name of names) assert.ok(existsSync(`/dev/shm/${name}`), name);
    program.kill('SIGKILL');
    await new Promise((resolve) => program.once('exit', resolve));
    // The child still holds the tracker pipe: its segment and the parent's stay until it ends.
    for (const name of names) assert.ok(existsSync(`/dev/shm/${name}`), `${name} removed while the child lives`);
    process.kill(child!.pid, 'SIGKILL');
    for (const name of names) await gone(`/dev/shm/${name}`, 5000);
  } finally {
    try {
      process.kill(-program.pid!, 'SIGKILL');
    } catch {
      // both gone already
    }
  }
});
