// Issue 3 figures: P11 uncontended Lock pairs/s, P12 2 processes × 100k locked increments,
// the wake latency of an acquire blocked in another process, P15 10 000 pending acquires.
// Usage: node bench/figures/locks.mjs   -> one JSON line
import { Barrier, Event, isMainProcess, Lock, Process, RawArray, Value } from 'multiprocessing';

/** P12 child: n increments of v under its lock, blocking (the sync twin) or awaiting. */
export async function increment(v, barrier, n, mode) {
  await barrier.wait();
  const lock = v.getLock();
  if (mode === 'sync') {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      v.value += 1;
      lock.release();
    }
  } else {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      v.value += 1;
      lock.release();
    }
  }
}

/** Wake-latency child: for each round, block on the lock, note when it was granted. */
export async function waiter(lock, ready, times, rounds) {
  for (let i = 0; i < rounds; i++) {
    ready.set();
    await lock.acquire();
    times[i] = performance.timeOrigin + performance.now();
    lock.release();
    ready.clear();
    while (times[rounds + i] === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

async function contended(mode, n) {
  const v = Value('i', 0);
  const barrier = new Barrier(3);
  const children = [0, 1].map(() => new Process({ target: increment, args: [v, barrier, n, mode] }));
  for (const child of children) child.start();
  await barrier.wait();
  const start = performance.now();
  await Promise.all(children.map((child) => child.join()));
  const seconds = (performance.now() - start) / 1000;
  if (v.value !== 2 * n) throw new Error(`lost updates: ${v.value}`);
  return seconds;
}

if (isMainProcess()) {
  const metrics = {};
  const lock = new Lock();
  const n = 1_000_000;
  for (let i = 0; i < 10000; i++) {
    lock.acquireSync();
    lock.release();
  }
  let start = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    lock.release();
  }
  metrics.uncontended_sync_pairs_per_s = n / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < n / 10; i++) {
    await lock.acquire();
    lock.release();
  }
  metrics.uncontended_async_pairs_per_s = n / 10 / ((performance.now() - start) / 1000);

  metrics.contended_2proc_sync_s = await contended('sync', 100_000);
  metrics.contended_2proc_async_s = await contended('async', 100_000);

  // Wake latency: the child blocks in acquire(); we release and it notes the time it got it.
  const rounds = 200;
  const held = new Lock();
  const ready = new Event();
  const times = RawArray('d', 2 * rounds);
  await held.acquire();
  const child = new Process({ target: waiter, args: [held, ready, times, rounds] });
  child.start();
  const latencies = [];
  for (let i = 0; i < rounds; i++) {
    await ready.wait();
    // Give the child time to go to sleep in acquire() before we release.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const released = performance.timeOrigin + performance.now();
    held.release();
    while (times[i] === 0) await new Promise((resolve) => setImmediate(resolve));
    latencies.push((times[i] - released) * 1000);
    await held.acquire();
    times[rounds + i] = 1;
  }
  held.release();
  await child.join();
  latencies.sort((a, b) => a - b);
  metrics.wake_latency_median_us = latencies[Math.floor(rounds / 2)];

  // P15: 10 000 pending acquires of one lock in this process.
  const many = new Lock();
  await many.acquire();
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let served = 0;
  const pending = Array.from({ length: 10_000 }, () =>
    many.acquire().then(() => {
      served++;
      many.release();
    }),
  );
  const rssPending = process.memoryUsage().rss;
  start = performance.now();
  many.release();
  await Promise.all(pending);
  metrics.pending_10k_served = served;
  metrics.pending_10k_rss_growth_mib = (rssPending - rssBefore) / 1048576;
  metrics.pending_10k_drain_ms = performance.now() - start;
  console.log(JSON.stringify({ fig: 'locks', metrics }));
}
