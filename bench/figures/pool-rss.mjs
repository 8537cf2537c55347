// P14: memory of idle pool workers, measured as the anchors' rss.mjs does (/proc/<pid>/status
// VmRSS, smaps_rollup Pss as an extra, 500 ms after the workers went idle):
//   ours: a spawn Pool(2)'s worker processes after map(square, range(1000), chunksize 1);
//         then a ThreadPool(2): this process's VmRSS after minus before, per worker
//         and, like for like with the bare child, the workers of a Pool(2) that ran 2 tasks
//         (nothing optimized yet);
//   bare: a child_process.fork of an idle script (the anchors' idle_child.cjs); the same after
//         one loop that V8 optimized (idle-hot-child.cjs: like for like with our workers after
//         1000 tasks); then 2 idle `new Worker`s: this process's VmRSS after minus before, per
//         worker
//   peers: the worker processes of tinypool (runtime 'child_process') and workerpool
//         (workerType 'process'), 2 each, after 1000 square tasks
// Usage: node bench/figures/pool-rss.mjs <ours|bare|peers> -> one JSON line
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { activeChildren, isMainProcess, Pool, ThreadPool } from 'multiprocessing';
import { square } from '../pool-tasks.mjs';

const SETTLE_MS = 500;
const MiB = 1024; // /proc figures are in KiB

function memKiB(pid) {
  const out = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const [key, value] = line.split(':');
    if (key === 'VmRSS' || key === 'RssAnon' || key === 'RssFile') out[key] = Number.parseInt(value, 10);
  }
  const pss = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m);
  if (pss) out.Pss = Number(pss[1]);
  return out;
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const range = (n) => Array.from({ length: n }, (_, i) => i);

async function threadDelta(start, stop) {
  globalThis.gc?.();
  await sleep(300);
  const before = memKiB(process.pid).VmRSS;
  const handle = await start();
  await sleep(SETTLE_MS);
  const after = memKiB(process.pid).VmRSS;
  await stop(handle);
  return (after - before) / 2 / MiB;
}

/** Memory of a spawn Pool(2)'s idle workers after map(square, range(tasks), chunksize 1). */
async function idleWorkers(tasks) {
  const pool = new Pool({ processes: 2, context: 'spawn' });
  try {
    await pool.map(square, range(tasks), { chunksize: 1 });
    await sleep(SETTLE_MS);
    const workers = activeChildren().filter((p) => p.name.startsWith('PoolWorker'));
    if (workers.length !== 2) throw new Error(`expected 2 pool workers, found ${workers.length}`);
    const mems = workers.map((w) => memKiB(w.pid));
    return { VmRSS: mean(mems.map((x) => x.VmRSS)) / MiB, Pss: mean(mems.map((x) => x.Pss)) / MiB };
  } finally {
    await pool.terminate();
  }
}

async function ours() {
  const m = {};
  const warm = await idleWorkers(1000);
  m.spawn_worker_VmRSS_MiB = warm.VmRSS;
  m.spawn_worker_Pss_MiB = warm.Pss;
  m.spawn_worker_2_tasks_VmRSS_MiB = (await idleWorkers(2)).VmRSS;
  m.thread_VmRSS_delta_per_worker_MiB = await threadDelta(
    async () => {
      const threads = new ThreadPool(2);
      await threads.map(square, range(1000), { chunksize: 1 });
      return threads;
    },
    (threads) => threads.terminate(),
  );
  return m;
}

/** Memory of an idle forked child running `script`, once it said it is ready. */
async function idleChild(script) {
  const child = fork(script);
  await new Promise((resolve) => child.once('message', resolve));
  await sleep(SETTLE_MS);
  const mem = memKiB(child.pid);
  child.send('exit');
  await new Promise((resolve) => child.once('exit', resolve));
  return { VmRSS: mem.VmRSS / MiB, Pss: mem.Pss / MiB };
}

async function bare() {
  const m = {};
  const idle = await idleChild(new URL('../../../shared/anchors/node/idle_child.cjs', import.meta.url).pathname);
  m.fork_child_VmRSS_MiB = idle.VmRSS;
  m.fork_child_Pss_MiB = idle.Pss;
  m.fork_child_optimized_VmRSS_MiB = (await idleChild(new URL('idle-hot-child.cjs', import.meta.url).pathname)).VmRSS;
  const code =
    "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => {}); parentPort.postMessage('ready');";
  m.thread_VmRSS_delta_per_worker_MiB = await threadDelta(
    async () => {
      const workers = [new Worker(code, { eval: true }), new Worker(code, { eval: true })];
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
      return workers;
    },
    (workers) => Promise.all(workers.map((w) => w.terminate())),
  );
  return m;
}

/** The worker processes of a peer pool (2 of them) after 1000 square tasks, submitted at once. */
async function peerWorkers(start) {
  const { call, pids, close } = await start();
  try {
    await Promise.all(range(1000).map((i) => call(i)));
    await sleep(SETTLE_MS);
    const found = pids();
    if (found.length !== 2) throw new Error(`expected 2 worker processes, found ${found.length}`);
    return mean(found.map((pid) => memKiB(pid).VmRSS)) / MiB;
  } finally {
    await close();
  }
}

async function peers() {
  const m = {};
  m.tinypool_process_worker_VmRSS_MiB = await peerWorkers(async () => {
    const { default: Tinypool } = await import('tinypool');
    const filename = new URL('../pool-tasks.mjs', import.meta.url).pathname;
    const pool = new Tinypool({ filename, runtime: 'child_process', minThreads: 2, maxThreads: 2 });
    return {
      call: (i) => pool.run(i, { name: 'square' }),
      pids: () => pool.threads.map((worker) => worker.threadId), // (a process worker's is its pid)
      close: () => pool.destroy(),
    };
  });
  m.workerpool_process_worker_VmRSS_MiB = await peerWorkers(async () => {
    const { default: workerpool } = await import('workerpool');
    const script = new URL('../pool-wp-worker.mjs', import.meta.url).pathname;
    const pool = workerpool.pool(script, { minWorkers: 2, maxWorkers: 2, workerType: 'process' });
    return {
      call: (i) => pool.exec('square', [i]),
      pids: () => pool.workers.map((handler) => handler.worker.pid),
      close: () => pool.terminate(),
    };
  });
  return m;
}

if (isMainProcess()) {
  const which = process.argv[2];
  const metrics = await { ours, bare, peers }[which]();
  console.log(JSON.stringify({ fig: `pool-rss.${which}`, metrics, params: { settle_ms: SETTLE_MS } }));
}
