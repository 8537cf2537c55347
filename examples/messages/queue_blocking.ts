// Seeds 003 "1、进程队列queue" and 004 "队列Queue": put/get with block and timeout, the
// Full and Empty errors, the nowait variants, qsize/empty/full.
import { Empty, Full, Queue } from 'multiprocessing';

const q = new Queue<string>(2);
await q.put('a');
q.putNowait('b'); // put(obj, { block: false })
console.log('qsize', q.qsize(), 'full', q.full(), 'empty', q.empty());
try {
  await q.put('c', { timeout: 100 }); // waits 100 ms for room, then gives up
} catch (error) {
  console.log('put timed out:', error instanceof Full, (error as Error).message);
}
try {
  q.putNowait('c');
} catch (error) {
  console.log('putNowait on a full queue:', error instanceof Full);
}
console.log(await q.get(), q.getNowait()); // a b, in order
try {
  await q.get({ timeout: 100 });
} catch (error) {
  console.log('get timed out:', error instanceof Empty, (error as Error).message);
}
try {
  q.getNowait(); // get({ block: false })
} catch (error) {
  console.log('getNowait on an empty queue:', error instanceof Empty);
}
