// Seed 001's related article "Python多进程与多线程的使用场景详解": 多进程 for 计算密集型
// (CPU-bound) tasks, 多线程 for IO密集型 (IO-bound) ones; its 示例1 does 1亿次运算 (10^8
// operations). Node has no GIL: a ThreadPool of worker threads runs CPU-bound work in parallel
// too, as a Pool of processes does. IO-bound tasks (waiting, here a 100 ms timer standing in for
// a request) need no CPU, so many of them overlap even on a few threads.
import { cpuCount, isMainProcess, Pool, ThreadPool } from 'multiprocessing';

export function count(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + i) % 1_000_003;
  return x;
}

export async function fetchPage(i: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return i;
}

async function timed(label: string, run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  console.log(`${String(Math.round(ms)).padStart(6)} ms  ${label}`);
  return ms;
}

if (isMainProcess()) {
  const workers = Math.max(2, cpuCount());
  const tasks = Array.from({ length: 2 * workers }, () => 30_000_000); // the seed's 10^8, scaled down
  console.log(`计算密集型: ${tasks.length} tasks of 3×10^7 operations`);
  await timed('serial, in this process', async () => tasks.map(count));
  await using pool = new Pool(workers);
  await pool.map(count, [1, 1]); // workers up before timing
  await timed(`Pool(${workers}) (多进程)`, () => pool.map(count, tasks));
  await using threads = new ThreadPool(workers);
  await threads.map(count, [1, 1]);
  await timed(`ThreadPool(${workers}) (多线程, no GIL)`, () => threads.map(count, tasks));

  console.log('IO密集型: 10 tasks that each wait 100 ms');
  const pages = Array.from({ length: 10 }, (_, i) => i);
  await timed('serial', async () => {
    for (const i of pages) await fetchPage(i);
  });
  await using ioThreads = new ThreadPool(10);
  await ioThreads.map(fetchPage, pages, { chunksize: 1 }); // every thread up before timing
  await timed('ThreadPool(10)', () => ioThreads.map(fetchPage, pages, { chunksize: 1 }));
}
