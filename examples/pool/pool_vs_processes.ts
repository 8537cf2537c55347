// Seed 001 "六、进程池" 引言 and 原理 (and seed 003 "3.进程池", seed 001's related "python 进程池
// pool使用详解"): many short tasks, one new process each, pay for creating and destroying every
// process; a pool creates a fixed number once and reuses them ("增加进程的重复利用,降低资源
// 消耗"), and tasks beyond that number wait for a free process.
import { cpuCount, isMainProcess, Pool, Process } from 'multiprocessing';

// About 20 ms of work; returns the pid of the process that ran it.
export function shortTask(i: number): number {
  let x = i;
  for (let k = 0; k < 5_000_000; k++) x = (x * 31 + k) % 65_521;
  return x >= 0 ? process.pid : 0;
}

if (isMainProcess()) {
  const n = 16;
  let start = performance.now();
  const processes = Array.from({ length: n }, (_, i) => new Process({ target: shortTask, args: [i] }));
  for (const p of processes) p.start();
  await Promise.all(processes.map((p) => p.join()));
  const pids = new Set(processes.map((p) => p.pid));
  console.log(`${n} tasks, one Process each: ${Math.round(performance.now() - start)} ms, ${pids.size} processes`);

  start = performance.now();
  const pool = new Pool(cpuCount());
  const pidsInPool = await pool.map(
    shortTask,
    Array.from({ length: n }, (_, i) => i),
    { chunksize: 1 },
  );
  pool.close();
  await pool.join();
  console.log(
    `${n} tasks, Pool(${cpuCount()}):       ${Math.round(performance.now() - start)} ms, ${new Set(pidsInPool).size} processes`,
  );
}
