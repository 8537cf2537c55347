// Seed 001 "解决Python 进程池Pool中一些坑" (1: a multiprocessing.Queue does not work with Pool,
// use Manager().Queue()) and seed 004 ("如果使用进程池时,需要使用Manager.Queue"). In Python,
// passing a Queue to a pool task raises "Queue objects should only be shared between processes
// through inheritance". Here a Queue is a handle to shared memory and may be sent to any
// process at any time, pool tasks included: two producers and a consumer share one Queue.
import { isMainProcess, Pool, Queue } from 'multiprocessing';

export async function producer(q: Queue<string | null>, name: string): Promise<string> {
  for (let i = 1; i <= 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await q.put(`${name}的包子${i}`);
  }
  return `${name} (pid ${process.pid}) 做完了`;
}

export async function consumer(q: Queue<string | null>): Promise<number> {
  let eaten = 0;
  for (let item = await q.get(); item !== null; item = await q.get()) {
    console.log(`消费者 ${process.pid} 吃了 ${item}`);
    eaten += 1;
  }
  return eaten;
}

if (isMainProcess()) {
  const q = new Queue<string | null>(); // a plain multiprocessing Queue, no Manager needed
  const pool = new Pool(3);
  const eaten = pool.applyAsync(consumer, [q]);
  const made = await Promise.all(['egon', 'alex'].map((name) => pool.apply(producer, [q, name])));
  for (const line of made) console.log(line);
  await q.put(null); // tells the consumer there is nothing more
  console.log('消费者一共吃了', await eaten.get(), '个包子');
  pool.close();
  await pool.join();
}
