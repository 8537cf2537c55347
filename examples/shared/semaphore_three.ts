// Seed 001 "7.4 信号量": sem = Semaphore(3), at most three tasks at once. The seed's loop joins
// each process before starting the next; the second part starts six at once so the limit
// shows: never more than three "执行任务" at the same time.
import { isMainProcess, Process, Semaphore, type SharedValue, Value } from 'multiprocessing';

export async function rnewu(sem: Semaphore): Promise<void> {
  await sem.acquire(); // 每执行一次减少一个信号量
  console.log('执行任务.....执行完成');
  sem.release(); // 执行完成后增加信号量
}

export async function person(sem: Semaphore, inside: SharedValue<number>, id: number): Promise<void> {
  await sem.withLock(async () => {
    const now = await inside.getLock().withLock(() => ++inside.value);
    console.log(`person ${id} runs the task (${now} inside)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await inside.getLock().withLock(() => --inside.value);
  });
}

if (isMainProcess()) {
  const sem = new Semaphore(3); // 创建信号量,最多允许3个任务同时执行
  for (let i = 0; i < 3; i++) {
    const p = new Process({ target: rnewu, args: [sem] });
    p.start();
    await p.join();
  }
  const inside = Value('i', 0) as SharedValue<number>;
  const people = Array.from({ length: 6 }, (_, i) => new Process({ target: person, args: [sem, inside, i + 1] }));
  for (const p of people) p.start();
  await Promise.all(people.map((p) => p.join()));
  console.log('semaphore value at the end:', sem.getValue()); // 3
}
