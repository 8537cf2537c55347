// Seed 004 "10. 进程池Pool": Pool(os.cpu_count()); apply_async returns an ApplyResult with
// .get([timeout]) 原地阻塞获取返回结果, .ready(), .successful() (an error before the task is
// done), .wait([timeout]). Here the result is an AsyncResult, also awaitable; timeouts are ms.
import { cpuCount, isMainProcess, Pool, ProcessError, TimeoutError } from 'multiprocessing';

export async function slowSquare(x: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return x * x;
}

export function divide(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero');
  return a / b;
}

if (isMainProcess()) {
  const p = new Pool({ processes: cpuCount() }); // Pool(processes=os.cpu_count()); also the default
  const r = p.applyAsync(slowSquare, [7]); // 异步提交进程任务,返回AsyncResult对象
  console.log('ready():', r.ready()); // false: still running
  try {
    r.successful();
  } catch (error) {
    console.log('successful() before it is ready throws', (error as Error).name);
  }
  await r.wait(50); // 等待结果变为可用, at most 50 ms
  console.log('after wait(50): ready():', r.ready());
  try {
    await r.get(50);
  } catch (error) {
    console.log('get(50) threw TimeoutError:', error instanceof TimeoutError);
  }
  console.log('get():', await r.get()); // 49
  console.log('ready():', r.ready(), 'successful():', r.successful());

  const bad = p.applyAsync(divide, [1, 0]);
  await bad.wait();
  console.log('a failing task: ready():', bad.ready(), 'successful():', bad.successful());
  try {
    await bad; // an AsyncResult is awaitable: the same as bad.get()
  } catch (error) {
    console.log(
      'get() rethrows the error raised in the worker:',
      error instanceof RangeError,
      (error as Error).message,
    );
  }
  console.log('apply(divide, [1, 4]):', await p.apply(divide, [1, 4])); // 同步提交: applyAsync().get()
  p.close();
  await p.join();
  try {
    p.applyAsync(divide, [1, 2]);
  } catch (error) {
    console.log('applyAsync after close() throws ProcessError:', error instanceof ProcessError);
  }
}
