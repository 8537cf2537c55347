// Seed 001 "六、进程池": Pool(4) takes four events (apply_async), each sleeps, prints its
// message and returns ctime(); close() stops new events, join() waits and reclaims the pool.
// The messages come out in whatever order the workers finish. (sleep(2) scaled to 200 ms.)
import { isMainProcess, Pool } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ctime = () => new Date().toString().slice(0, 24); // Python's time.ctime(), near enough

// 进程池事件: exported, so the workers find it by importing this module
export async function worker(msg: string): Promise<string> {
  await sleep(200);
  console.log(msg);
  return ctime();
}

if (isMainProcess()) {
  const pool = new Pool(4); // 创建进程池
  const results = [];
  // 向进程池添加执行事件
  for (let i = 0; i < 4; i++) {
    const msg = `Hello ${i}`;
    const r = pool.applyAsync(worker, [msg]); // r 代表func事件的一个对象
    results.push(r);
  }
  pool.close(); // 关闭进程池
  await pool.join(); // 回收进程池
  // 通过get()属性函数可以获取fun的返回值
  for (const r of results) console.log('get():', await r.get());
}
