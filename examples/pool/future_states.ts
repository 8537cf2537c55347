// Seed 004 "11. 进程池ProcessPoolExecutor", the future's methods: .cancel() (True only if the
// task has not started), .cancelled(), .running(), .done() (True once finished or cancelled;
// the seed's "返回Fasle" is a slip), .result(timeout), .exception([timeout]) (None when the
// task ended normally). One worker, so the second and third tasks wait in the queue.
import { isMainProcess } from 'multiprocessing';
import { CancelledError, ProcessPoolExecutor, TimeoutError } from 'multiprocessing/futures';

export async function work(ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return `slept ${ms} ms`;
}

export function fail(message: string): never {
  throw new Error(message);
}

if (isMainProcess()) {
  await using p = new ProcessPoolExecutor({ maxWorkers: 1 }); // shutdown({ wait: true }) at the end
  const a = p.submit(work, 400);
  const b = p.submit(work, 100);
  const c = p.submit(fail, '任务出错了');
  while (!a.running()) await new Promise((resolve) => setTimeout(resolve, 10));
  console.log('a: running()', a.running(), 'done()', a.done());
  console.log('a.cancel():', a.cancel(), '(it is running)');
  console.log('b.cancel():', b.cancel(), '(it had not started) cancelled():', b.cancelled(), 'done():', b.done());
  try {
    await a.result(50);
  } catch (error) {
    console.log('a.result(50) threw TimeoutError:', error instanceof TimeoutError);
  }
  console.log('a.result():', await a.result());
  console.log('a: running()', a.running(), 'done()', a.done(), 'exception():', await a.exception());
  try {
    await b.result();
  } catch (error) {
    console.log('b.result() threw CancelledError:', error instanceof CancelledError);
  }
  const error = await c.exception(); // the task's error, without throwing it
  console.log('c.exception():', error?.name, error?.message);
}
