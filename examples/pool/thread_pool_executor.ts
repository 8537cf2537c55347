// Seed 004 "12. 线程池ThreadPoolExecutor": the same submit / add_done_callback / shutdown / map
// as ProcessPoolExecutor, with worker threads: one pid, one thread id per worker. Unlike
// Python's threads, each worker thread has its own module variables (its own JavaScript heap),
// so a global counter is per worker; share state with Value, Array, Queue, ... as between
// processes. (Sleeps scaled to 100 ms.)
import { threadId } from 'node:worker_threads';
import { cpuCount, isMainProcess } from 'multiprocessing';
import { ThreadPoolExecutor } from 'multiprocessing/futures';

let calls = 0; // one per worker thread, not one per program

export async function task(n: number): Promise<string> {
  calls += 1;
  await new Promise((resolve) => setTimeout(resolve, 100));
  return `任务${n} ran in pid ${process.pid}, thread ${threadId} (call ${calls} there)`;
}

if (isMainProcess()) {
  console.log(`main: pid ${process.pid}, thread ${threadId}`);
  console.log('default maxWorkers = min(32, cpuCount() + 4) =', Math.min(32, cpuCount() + 4));
  const p = new ThreadPoolExecutor({ maxWorkers: 3 });
  for (let n = 1; n <= 6; n++) {
    const future = p.submit(task, n); // 异步提交,返回future类
    future.addDoneCallback(async (f) => console.log('回调:', await f.result())); // 线程执行完毕立刻触发
  }
  for await (const r of p.map((x: number) => x * x, [1, 2, 3, 4])) console.log('map:', r);
  await p.shutdown(); // 关闭线程池,并原地阻塞等待其他线程任务执行完毕
  console.log('calls in the main thread:', calls); // 0: the workers counted in their own copies
}
