// Seed 003 "3.进程池", 用法2: pool.apply(foo, args) runs one task and waits for its result
// (seed 004: "同步提交,原地阻塞等待返回结果", i.e. apply_async().get()), so ten calls in a
// loop run one after another even though the pool has three processes.
// (time.sleep(2) scaled to 100 ms.)
import { isMainProcess, Pool } from 'multiprocessing';

export async function foo(i: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  console.log('in the process', process.pid); // 打印子进程的pid
  return i + 100;
}

if (isMainProcess()) {
  const pool = new Pool(3);
  console.log('主进程pid:', process.pid);
  await pool.apply(foo, [-1]); // let the workers start before timing
  let start = performance.now();
  for (let i = 0; i < 10; i++) {
    const r = await pool.apply(foo, [i]); // 串行: 每次等待结果
    console.log('apply returned', r);
  }
  console.log(`serial (apply):         ${Math.round(performance.now() - start)} ms for 10 tasks`);
  start = performance.now();
  const results = Array.from({ length: 10 }, (_, i) => pool.applyAsync(foo, [i]));
  const values = await Promise.all(results.map((r) => r.get())); // what apply() is: applyAsync().get()
  console.log('applyAsync().get() returned', values.join(' '));
  console.log(`parallel (applyAsync):  ${Math.round(performance.now() - start)} ms for 10 tasks`);
  console.log('end');
  pool.close();
  await pool.join();
}
