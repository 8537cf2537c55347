// Pool figures of the Node worker pools we compare with (the anchors' bench_pool.mjs method,
// with the sizes of our figures and the tasks of ../pool-tasks.mjs), 2 workers each, in a
// fresh process: start-up (constructor → first noop result), then the figures asked for:
//   tiny: 20k tiny tasks submitted at once (after 1000 warm-up tasks) → tasks/s   (P3)
//   tiny100k: the same with 100k tasks, the size of the anchors' B1 figure         (P3)
//   seq:  sequential round trip, 2000 after 200 warm-up → µs per call             (P4)
//   cpu:  8 × primeSum(2M), serially here vs through the pool → speed-up          (P5)
// Usage: node bench/figures/pool-peers.mjs <piscina|tinypool|workerpool> [tiny] [tiny100k] [seq] [cpu]
import {
  CPU_TASKS,
  PRIME_LIMIT,
  primeSum,
  ROUND_TRIP_WARMUP,
  ROUND_TRIPS,
  range,
  TINY_TASKS,
  TINY_TASKS_LARGE,
  TINY_WARMUP,
  WORKERS,
} from '../pool-tasks.mjs';

const [lib, ...figs] = process.argv.slice(2);
const tasksUrl = new URL('../pool-tasks.mjs', import.meta.url);

// Import the library before any timing starts (module load is not pool start-up).
async function factory() {
  switch (lib) {
    case 'piscina': {
      const { Piscina } = await import('piscina');
      return () => {
        const p = new Piscina({ filename: tasksUrl.href, minThreads: WORKERS, maxThreads: WORKERS });
        return { call: (name, arg) => p.run(arg, { name }), close: () => p.destroy() };
      };
    }
    case 'tinypool': {
      const { default: Tinypool } = await import('tinypool');
      return () => {
        const p = new Tinypool({ filename: tasksUrl.pathname, minThreads: WORKERS, maxThreads: WORKERS });
        return { call: (name, arg) => p.run(arg, { name }), close: () => p.destroy() };
      };
    }
    case 'workerpool': {
      const { default: workerpool } = await import('workerpool');
      const script = new URL('../pool-wp-worker.mjs', import.meta.url).pathname;
      return () => {
        const p = workerpool.pool(script, { minWorkers: WORKERS, maxWorkers: WORKERS, workerType: 'thread' });
        return { call: (name, arg) => p.exec(name, [arg]), close: () => p.terminate() };
      };
    }
    default:
      throw new Error(`unknown pool library ${lib}`);
  }
}

const make = await factory();
const metrics = {};
const start = performance.now();
const pool = make();
metrics.startup_ctor_ms = performance.now() - start;
await pool.call('noop', 0);
metrics.startup_ready_ms = performance.now() - start;

/** `count` tiny tasks submitted at once, after a warm-up burst: tasks/s. */
async function tinyBurst(count) {
  await Promise.all(range(TINY_WARMUP).map((i) => pool.call('square', i)));
  const t0 = performance.now();
  const out = await Promise.all(range(count).map((i) => pool.call('square', i)));
  const rate = count / ((performance.now() - t0) / 1000);
  if (out[count - 1] !== (count - 1) ** 2) throw new Error('bad result');
  return rate;
}
if (figs.includes('tiny')) metrics.tiny_tasks_per_s = await tinyBurst(TINY_TASKS);
if (figs.includes('tiny100k')) metrics.tiny_100k_tasks_per_s = await tinyBurst(TINY_TASKS_LARGE);
if (figs.includes('seq')) {
  for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await pool.call('noop', i);
  const times = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t0 = performance.now();
    await pool.call('noop', i);
    times.push((performance.now() - t0) * 1000);
  }
  metrics.seq_us_per_call = times.reduce((a, b) => a + b, 0) / ROUND_TRIPS;
  metrics.seq_us_median = times.sort((a, b) => a - b)[Math.floor(ROUND_TRIPS / 2)];
}
if (figs.includes('cpu')) {
  const expected = primeSum(PRIME_LIMIT); // warm-up
  let t0 = performance.now();
  for (let i = 0; i < CPU_TASKS; i++) if (primeSum(PRIME_LIMIT) !== expected) throw new Error('bad primeSum');
  metrics.cpu_serial_s = (performance.now() - t0) / 1000;
  await Promise.all([pool.call('primeSum', 20_000), pool.call('primeSum', 20_000)]);
  t0 = performance.now();
  const out = await Promise.all(range(CPU_TASKS).map(() => pool.call('primeSum', PRIME_LIMIT)));
  metrics.cpu_pool_s = (performance.now() - t0) / 1000;
  if (!out.every((r) => r === expected)) throw new Error('bad primeSum result');
  metrics.cpu_speedup = metrics.cpu_serial_s / metrics.cpu_pool_s;
}
await pool.close();
console.log(JSON.stringify({ fig: `pool-peers.${lib}`, metrics, params: { lib, workers: WORKERS, figs } }));
// Some pools keep handles briefly after destroy/terminate; do not let that hang the run.
setTimeout(() => process.exit(0), 200).unref();
