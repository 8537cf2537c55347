// Seed 003 "3.进程池", 用法1: Pool(3) runs ten foo(i) with apply_async; `callback` is called
// in the parent (the pid it prints is the main program's) with each result as it arrives.
// 'end' comes first: apply_async only queues the task. (time.sleep(2) scaled to 200 ms.)
import { isMainProcess, Pool } from 'multiprocessing';

export async function foo(i: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log('in the process', process.pid); // 打印子进程的pid
  return i + 100;
}

export function call(arg: number): void {
  console.log('-->exec done:', arg, process.pid);
}

if (isMainProcess()) {
  const pool = new Pool(3); // 进程池最多允许3个进程同时工作
  console.log('主进程pid:', process.pid); // 打印父进程的pid
  for (let i = 0; i < 10; i++) {
    // callback作用是指定只有当foo运行结束后就执行callback调用的函数,父进程调用的callback函数
    pool.applyAsync(foo, [i], { callback: call });
  }
  console.log('end');
  pool.close(); // 关闭pool
  await pool.join(); // 进程池中进程执行完毕后再关闭
  // Without join(), Python's program would end here and the queued tasks would be lost; here
  // outstanding tasks keep the program alive (an idle pool does not), so the output is the same.
}
