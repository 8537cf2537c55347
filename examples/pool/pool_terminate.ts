// Seed 004 "10. 进程池Pool": p.close() 关闭进程池; p.terminate() 立刻终结进程池中所有任务;
// p.join() 原地阻塞等待进程池任务执行完毕, 需要在close/terminate方法之后. Four tasks that
// would take 10 s each are ended as soon as two of them are running; their results reject.
import { isMainProcess, Pool, ProcessError, Queue } from 'multiprocessing';

export async function longTask(n: number, started: Queue<number>): Promise<number> {
  console.log(`task ${n} starts in process ${process.pid}`);
  await started.put(n);
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  console.log(`task ${n} finished`); // never printed
  return n;
}

if (isMainProcess()) {
  const p = new Pool(2);
  const started = new Queue<number>();
  const results = [1, 2, 3, 4].map((n) => p.applyAsync(longTask, [n, started]));
  try {
    await p.join(); // before close()/terminate()
  } catch (error) {
    console.log('join() before close()/terminate() throws ProcessError:', error instanceof ProcessError);
  }
  await started.get();
  await started.get(); // both workers are busy now, with 10 s to go
  const start = performance.now();
  await p.terminate(); // 立刻终结进程池中所有任务
  await p.join();
  console.log(`terminated and joined in ${Math.round(performance.now() - start)} ms`);
  const outcomes = await Promise.allSettled(results.map((r) => r.get()));
  for (const [i, outcome] of outcomes.entries()) {
    const reason = outcome.status === 'rejected' ? (outcome.reason as Error) : undefined;
    console.log(`task ${i + 1}: ${outcome.status}${reason ? ` ${reason.name}: ${reason.message}` : ''}`);
  }
}
