// P14: memory of idle pool workers, measured as the anchors' rss.mjs does (/proc/<pid>/status
// VmRSS, smaps_rollup Pss as an extra, 500 ms after the workers went idle):
//   ours: a spawn Pool(2)'s worker processes after map(square, range(1000), chunksize 1);
//         then a ThreadPool(2): this process's VmRSS after minus before, per worker
//   bare: a child_process.fork of an idle script (the anchors' idle_child.cjs);
//         then 2 idle `new Worker`s: this process's VmRSS after minus before, per worker
// Usage: node bench/figures/pool-rss.mjs <ours|bare> -> one JSON line
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

async function ours() {
  const m = {};
  const pool = new Pool({ processes: 2, context: 'spawn' });
  try {
    await pool.map(square, range(1000), { chunksize: 1 });
    await sleep(SETTLE_MS);
    const workers = activeChildren().filter((p) => p.name.startsWith('PoolWorker'));
    if (workers.length !== 2) throw new Error(`expected 2 pool workers, found ${workers.length}`);
    const mems = workers.map((w) => memKiB(w.pid));
    m.spawn_worker_VmRSS_MiB = mean(mems.map((x) => x.VmRSS)) / MiB;
    m.spawn_worker_Pss_MiB = mean(mems.map((x) => x.Pss)) / MiB;
  } finally {
    await pool.terminate();
  }
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

async function bare() {
  const m = {};
  const child = fork(new URL('../../../shared/anchors/node/idle_child.cjs', import.meta.url).pathname);
  await new Promise((resolve) => child.once('message', resolve));
  await sleep(SETTLE_MS);
  const mem = memKiB(child.pid);
  m.fork_child_VmRSS_MiB = mem.VmRSS / MiB;
  m.fork_child_Pss_MiB = mem.Pss / MiB;
  child.send('exit');
  await new Promise((resolve) => child.once('exit', resolve));
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

if (isMainProcess()) {
  const which = process.argv[2];
  const metrics = which === 'ours' ? await ours() : await bare();
  console.log(JSON.stringify({ fig: `pool-rss.${which}`, metrics, params: { settle_ms: SETTLE_MS } }));
}
