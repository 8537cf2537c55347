// Pool figures, ours: start-up (new Pool(2) → first apply result, spawn and thread),
// P2 Pool(2).map of 100k tiny tasks with the default chunksize, P3 20k tiny apply() submitted
// at once, imap of 20k tiny items with its default chunksize, P4 sequential apply() round trip,
// P5 CPU-bound speed-up of 8 equal tasks on 2 workers.
// The tasks live in ../pool-tasks.mjs (workers import that module, never this one).
// With the argument `tiny100k`, only P3 with 100k tasks instead, in this fresh process: the
// anchors' own B1 method (1000 warm-up tasks, then 100k), run the same way for the peers.
// Every section has its own pool, a time limit, and ends it; a section that fails is reported
// in `errors` with a null metric instead of ending the run. Sections start once every worker of
// their pool is up: the start-up rows time the start-up, the others the running pool.
// Usage: node bench/figures/pool.mjs [tiny100k] -> one JSON line
import { Barrier, isMainProcess, Pool, ThreadPool } from 'multiprocessing';
import { ProcessPoolExecutor } from 'multiprocessing/futures';
import {
  CPU_TASKS,
  MAP_ITEMS,
  meetThenPrimeSum,
  noop,
  PRIME_LIMIT,
  primeSum,
  ROUND_TRIP_WARMUP,
  ROUND_TRIPS,
  range,
  square,
  TINY_TASKS,
  TINY_TASKS_LARGE,
  TINY_WARMUP,
  WORKERS,
} from '../pool-tasks.mjs';

const SECTION_LIMIT_MS = 30_000;

function makePool(context) {
  return context === 'thread' ? new ThreadPool(WORKERS) : new Pool({ processes: WORKERS, context });
}

/** Resolves once each worker has taken one call (see meetThenPrimeSum in pool-tasks.mjs). */
async function everyWorkerUp(pool, primeLimit = 0) {
  const barrier = new Barrier(WORKERS);
  await Promise.all(range(WORKERS).map(() => pool.apply(meetThenPrimeSum, [barrier, primeLimit])));
}

/**
 * Runs one section: `open()` makes a pool or executor and waits until every worker is up (the
 * start-up rows time the start-up), `body` measures, `close` ends it; records the body's
 * metrics, or its error and null metrics. Every section has SECTION_LIMIT_MS.
 */
async function measured(metrics, errors, keys, open, close, body) {
  let subject;
  let timer;
  try {
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${SECTION_LIMIT_MS} ms`)), SECTION_LIMIT_MS);
    });
    const run = (async () => {
      subject = await open((made) => {
        subject = made; // (closed even if it never comes up)
      });
      Object.assign(metrics, await body(subject));
    })();
    run.catch(() => {});
    await Promise.race([run, limit]);
  } catch (error) {
    for (const key of keys) metrics[key] = null;
    errors[keys.join(',')] = `${error?.constructor?.name}: ${error?.message}`;
  } finally {
    clearTimeout(timer);
    if (subject) await close(subject);
  }
}

/** A section with a fresh Pool of `context`. */
function section(metrics, errors, keys, context, body) {
  return measured(
    metrics,
    errors,
    keys,
    async (made) => {
      const pool = makePool(context);
      made(pool);
      await pool.apply(noop, []);
      await everyWorkerUp(pool);
      return pool;
    },
    (pool) => pool.terminate(),
    body,
  );
}

/** A section with a fresh ProcessPoolExecutor(2) (spawn), shut down after it, its queued futures cancelled. */
function executorSection(metrics, errors, keys, body) {
  return measured(
    metrics,
    errors,
    keys,
    async (made) => {
      const executor = new ProcessPoolExecutor({ maxWorkers: WORKERS, context: 'spawn' });
      made(executor);
      const barrier = new Barrier(WORKERS);
      await Promise.all(range(WORKERS).map(() => executor.submit(meetThenPrimeSum, barrier, 0)));
      return executor;
    },
    (executor) => executor.shutdown({ wait: true, cancelFutures: true }),
    body,
  );
}

async function startup(context) {
  const start = performance.now();
  const pool = makePool(context);
  const constructed = performance.now();
  try {
    await pool.apply(noop, []);
    return { ctor: constructed - start, ready: performance.now() - start };
  } finally {
    await pool.terminate();
  }
}

/** `count` tiny apply()s submitted at once, after a warm-up burst: tasks/s. */
async function tinyBurst(pool, count) {
  await Promise.all(range(TINY_WARMUP).map((i) => pool.apply(square, [i])));
  const start = performance.now();
  const out = await Promise.all(range(count).map((i) => pool.apply(square, [i])));
  const seconds = (performance.now() - start) / 1000;
  if (out[count - 1] !== (count - 1) ** 2) throw new Error('bad apply result');
  return count / seconds;
}

if (isMainProcess() && process.argv[2] === 'tiny100k') {
  const metrics = {};
  const errors = {};
  await section(metrics, errors, ['apply_all_at_once_100k_spawn_tasks_per_s'], 'spawn', async (pool) => ({
    apply_all_at_once_100k_spawn_tasks_per_s: await tinyBurst(pool, TINY_TASKS_LARGE),
  }));
  console.log(JSON.stringify({ fig: 'pool-tiny100k', metrics, errors, params: { tiny_tasks: TINY_TASKS_LARGE } }));
} else if (isMainProcess()) {
  const metrics = {};
  const errors = {};
  // A failed submission can leave a task's promise with no one waiting on it, which
  // terminate() then rejects: note it rather than end the run.
  let unhandled = 0;
  process.on('unhandledRejection', (error) => {
    if (unhandled++ === 0) errors.first_unhandled_rejection = String(error);
    errors.unhandled_rejections = unhandled;
  });

  // Start-up first, in a fresh process, as the anchors measure it (the first spawn pool also
  // starts the resource tracker; module loading of the package itself is not timed).
  for (const context of ['spawn', 'thread']) {
    try {
      const { ctor, ready } = await startup(context);
      metrics[`startup_${context}_ctor_ms`] = ctor;
      metrics[`startup_${context}_ready_ms`] = ready;
    } catch (error) {
      metrics[`startup_${context}_ready_ms`] = null;
      errors[`startup_${context}`] = String(error);
    }
  }

  // P2: default chunksize (Python's rule, ceil(n / (4 × workers)) = 12 500 here). Then, in the
  // same pool, map with chunksize 1: the sequence of the anchors' A2 (Python's P3 figure).
  const afterDefault = 'map_chunksize1_after_default_tasks_per_s';
  await section(metrics, errors, ['map_default_tasks_per_s', afterDefault], 'spawn', async (pool) => {
    await pool.map(square, range(1000));
    const items = range(MAP_ITEMS);
    let start = performance.now();
    const out = await pool.map(square, items);
    const seconds = (performance.now() - start) / 1000;
    if (out.length !== MAP_ITEMS || out[MAP_ITEMS - 1] !== (MAP_ITEMS - 1) ** 2) throw new Error('bad map result');
    const tiny = range(TINY_TASKS);
    start = performance.now();
    const outTiny = await pool.map(square, tiny, { chunksize: 1 });
    const tinySeconds = (performance.now() - start) / 1000;
    if (outTiny[TINY_TASKS - 1] !== (TINY_TASKS - 1) ** 2) throw new Error('bad map result');
    return { map_default_tasks_per_s: MAP_ITEMS / seconds, [afterDefault]: TINY_TASKS / tinySeconds };
  });

  // P3: tiny tasks one at a time, all submitted at once, per start method; and map with
  // chunksize 1 (Python's figure).
  for (const context of ['spawn', 'thread']) {
    const key = `apply_all_at_once_${context}_tasks_per_s`;
    await section(metrics, errors, [key], context, async (pool) => ({ [key]: await tinyBurst(pool, TINY_TASKS) }));
  }
  await section(metrics, errors, ['map_chunksize1_tasks_per_s'], 'spawn', async (pool) => {
    await pool.map(square, range(TINY_WARMUP), { chunksize: 1 });
    const start = performance.now();
    const out = await pool.map(square, range(TINY_TASKS), { chunksize: 1 });
    const seconds = (performance.now() - start) / 1000;
    if (out[TINY_TASKS - 1] !== (TINY_TASKS - 1) ** 2) throw new Error('bad map result');
    return { map_chunksize1_tasks_per_s: TINY_TASKS / seconds };
  });

  // imap with its default chunksize (1): not a P-figure, but what users get by default.
  await section(metrics, errors, ['imap_default_tasks_per_s'], 'spawn', async (pool) => {
    for await (const _ of pool.imap(square, range(TINY_WARMUP)));
    const start = performance.now();
    let last;
    for await (const value of pool.imap(square, range(TINY_TASKS))) last = value;
    const seconds = (performance.now() - start) / 1000;
    if (last !== (TINY_TASKS - 1) ** 2) throw new Error('bad imap result');
    return { imap_default_tasks_per_s: TINY_TASKS / seconds };
  });

  // P4: one apply at a time.
  for (const context of ['spawn', 'thread']) {
    const key = `apply_sequential_${context}_us`;
    const median = `apply_sequential_${context}_median_us`;
    await section(metrics, errors, [key, median], context, async (pool) => {
      for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await pool.apply(noop, [i]);
      const times = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const start = performance.now();
        await pool.apply(noop, [i]);
        times.push((performance.now() - start) * 1000);
      }
      return {
        [key]: times.reduce((a, b) => a + b, 0) / ROUND_TRIPS,
        [median]: times.sort((a, b) => a - b)[Math.floor(ROUND_TRIPS / 2)],
      };
    });
  }

  // P3 and P4 through ProcessPoolExecutor, as Python's are measured: 20k submit() at once
  // (after a warm-up burst of 1000), then one submit().result() at a time.
  await executorSection(metrics, errors, ['executor_submit_all_at_once_tasks_per_s'], async (executor) => {
    await Promise.all(range(TINY_WARMUP).map((i) => executor.submit(square, i)));
    const start = performance.now();
    const out = await Promise.all(range(TINY_TASKS).map((i) => executor.submit(square, i)));
    const seconds = (performance.now() - start) / 1000;
    if (out[TINY_TASKS - 1] !== (TINY_TASKS - 1) ** 2) throw new Error('bad submit result');
    return { executor_submit_all_at_once_tasks_per_s: TINY_TASKS / seconds };
  });
  await executorSection(
    metrics,
    errors,
    ['executor_sequential_us', 'executor_sequential_median_us'],
    async (executor) => {
      for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await executor.submit(noop).result();
      const times = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const start = performance.now();
        await executor.submit(noop).result();
        times.push((performance.now() - start) * 1000);
      }
      return {
        executor_sequential_us: times.reduce((a, b) => a + b, 0) / ROUND_TRIPS,
        executor_sequential_median_us: times.sort((a, b) => a - b)[Math.floor(ROUND_TRIPS / 2)],
      };
    },
  );

  // P5: 8 equal CPU-bound tasks, serially here vs on 2 workers (map, default chunksize = 1),
  // after a warm-up call on each worker (see meetThenPrimeSum).
  const expected = primeSum(PRIME_LIMIT); // warm-up
  let start = performance.now();
  for (let i = 0; i < CPU_TASKS; i++) if (primeSum(PRIME_LIMIT) !== expected) throw new Error('bad primeSum');
  const serial = (performance.now() - start) / 1000;
  metrics.cpu_serial_s = serial;
  await section(metrics, errors, ['cpu_pool_s', 'cpu_speedup'], 'spawn', async (pool) => {
    await everyWorkerUp(pool, 20_000);
    start = performance.now();
    const out = await pool.map(primeSum, new Array(CPU_TASKS).fill(PRIME_LIMIT));
    const seconds = (performance.now() - start) / 1000;
    if (!out.every((r) => r === expected)) throw new Error('bad primeSum result');
    return { cpu_pool_s: seconds, cpu_speedup: serial / seconds };
  });

  console.log(
    JSON.stringify({
      fig: 'pool',
      metrics,
      errors,
      params: {
        workers: WORKERS,
        map_items: MAP_ITEMS,
        tiny_tasks: TINY_TASKS,
        round_trips: ROUND_TRIPS,
        prime_limit: PRIME_LIMIT,
        cpu_tasks: CPU_TASKS,
      },
    }),
  );
}
