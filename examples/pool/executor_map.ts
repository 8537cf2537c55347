// Seed 004 "11. 进程池ProcessPoolExecutor" / "12. 线程池ThreadPoolExecutor":
// p.map(func, iterable, timeout=None, chunksize=1) yields results in the input's order, however
// the tasks finish; `timeout` (ms here) counts from the call. asCompleted() and wait() give the
// futures of submit() in the order they finish instead.
import { isMainProcess } from 'multiprocessing';
import { asCompleted, FIRST_COMPLETED, ProcessPoolExecutor, TimeoutError, wait } from 'multiprocessing/futures';

// Longer for small n, so the tasks finish in reverse order.
export async function delayedSquare(n: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 40 * (6 - n)));
  return n * n;
}

if (isMainProcess()) {
  await using p = new ProcessPoolExecutor({ maxWorkers: 2 });
  const inOrder: number[] = [];
  for await (const r of p.map(delayedSquare, [1, 2, 3, 4, 5])) inOrder.push(r);
  console.log('map, in input order:', inOrder.join(' '));

  const chunked: number[] = [];
  for await (const r of p.map(
    (x: number) => x * 10,
    Array.from({ length: 20 }, (_, i) => i),
    { chunksize: 5 },
  )) {
    chunked.push(r);
  }
  console.log('map with chunksize 5:', chunked.join(' '));

  const futures = [1, 2, 3, 4, 5].map((n) => p.submit(delayedSquare, n));
  const { done, notDone } = await wait(futures, { returnWhen: FIRST_COMPLETED });
  console.log(`wait(FIRST_COMPLETED): ${done.size} done, ${notDone.size} not done`);
  const finished: number[] = [];
  // f is the Future itself (a Future is awaitable: await f is f.result()). TypeScript types the
  // loop variable of `for await` as Awaited<Future<number>>, i.e. number, so f.result() would
  // not type-check here.
  for await (const f of asCompleted(futures)) finished.push(await f);
  console.log('asCompleted, in the order they finished:', finished.join(' '));

  try {
    for await (const r of p.map(delayedSquare, [1, 2, 3], { timeout: 100 })) console.log('got', r);
  } catch (error) {
    console.log('map with timeout 100 ms threw TimeoutError:', error instanceof TimeoutError);
  }
}
