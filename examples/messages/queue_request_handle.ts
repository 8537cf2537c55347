// Seed 001 "7.2 消息队列": a request process puts two (x, y) pairs on Queue(3); a handle
// process takes them with get(timeout) and stops when nothing comes for a while.
// (sleep(1) and timeout=2 s scaled to 100 ms and 300 ms; the first pair is waited for as long
// as the request process takes to start, which on a busy machine can be longer.)
import { Empty, isMainProcess, Process, Queue } from 'multiprocessing';

const randint = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

export async function request(q: Queue<[number, number]>): Promise<void> {
  for (let i = 0; i < 2; i++) await q.put([randint(0, 100), randint(0, 100)]);
}

export async function handle(q: Queue<[number, number]>): Promise<void> {
  for (let first = true; ; first = false) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    let pair: [number, number];
    try {
      pair = await q.get({ timeout: first ? 10_000 : 300 });
    } catch (error) {
      if (error instanceof Empty) break; // nothing came within the timeout
      throw error;
    }
    const [x, y] = pair;
    console.log(`${x} + ${y} = ${x + y}`);
  }
}

if (isMainProcess()) {
  const q = new Queue<[number, number]>(3); // 创建消息队列
  const p1 = new Process({ target: request, args: [q] });
  const p2 = new Process({ target: handle, args: [q] });
  p1.start();
  p2.start();
  await Promise.all([p1.join(), p2.join()]);
}
