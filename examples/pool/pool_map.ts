// Seed 001's related article "python multiprocessing 多进程并行计算的操作": "Pool 采用Pool进程池
// 对任务并行处理更加方便 ... Pool 包含了多个并行函数". The parallel functions of Pool over one
// list: map (results in order, all at once), mapAsync (with a callback), imap (in order, one by
// one), imapUnordered (as they finish), and chunksize / onProgress.
import { isMainProcess, Pool } from 'multiprocessing';

// Items given a longer delay finish later, so the finishing order differs from the input order.
export async function square(x: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, x % 3 === 0 ? 150 : 20));
  return x * x;
}

if (isMainProcess()) {
  const pool = new Pool(2);
  const items = [1, 2, 3, 4, 5, 6, 7, 8];
  console.log('map:          ', (await pool.map(square, items)).join(' '));

  const all = pool.mapAsync(square, items, {
    callback: (rs) => console.log('mapAsync callback got', rs.length, 'results'),
  });
  console.log('mapAsync:     ', (await all.get()).join(' '));

  const ordered: number[] = [];
  for await (const r of pool.imap(square, items)) ordered.push(r);
  console.log('imap:         ', ordered.join(' '));

  const unordered: number[] = [];
  for await (const r of pool.imapUnordered(square, items)) unordered.push(r);
  console.log('imapUnordered:', unordered.join(' '), '(as they finished: 9, 36 took longer)');

  const big = Array.from({ length: 1000 }, (_, i) => i);
  let reports = 0;
  const doubled = await pool.map((x: number) => 2 * x, big, {
    chunksize: 100, // ten messages to the workers instead of a thousand
    onProgress: (done, total) => {
      reports += 1;
      if (done === total) console.log(`onProgress: ${done}/${total} after ${reports} reports`);
    },
  });
  console.log(
    'sum of 2x over 0..999 with chunksize 100:',
    doubled.reduce((a, b) => a + b, 0),
  );
  pool.close();
  await pool.join();
}
