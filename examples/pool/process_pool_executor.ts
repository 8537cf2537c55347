// Seed 004 "11. 进程池ProcessPoolExecutor": p = ProcessPoolExecutor(os.cpu_count());
// p.submit(func, *args) 异步提交,返回future类; .add_done_callback(fn) 进程任务执行完毕自动
// 触发,将future类传递给回调函数; p.shutdown() 等价于 close join. (Sleeps scaled to 100 ms.)
import { cpuCount, isMainProcess } from 'multiprocessing';
import { ProcessPoolExecutor } from 'multiprocessing/futures';

export async function task(name: string, n: number): Promise<number> {
  console.log(`${name} is running in process ${process.pid}`);
  await new Promise((resolve) => setTimeout(resolve, 100 * n));
  return n ** 2;
}

if (isMainProcess()) {
  console.log('主进程pid:', process.pid);
  const p = new ProcessPoolExecutor({ maxWorkers: cpuCount() });
  const futures = [];
  for (let i = 1; i <= 6; i++) {
    const future = p.submit(task, `任务${i}`, i); // 异步提交,返回future
    // the callback runs in this (the main) process once the task is done
    future.addDoneCallback((f) => f.result().then((r) => console.log(`回调: 任务${i} -> ${r} (pid ${process.pid})`)));
    futures.push(future);
  }
  await p.shutdown(); // 关闭进程池,并原地阻塞等待进程任务执行完毕
  console.log('shutdown done; results:', (await Promise.all(futures.map((f) => f.result()))).join(' '));
}
