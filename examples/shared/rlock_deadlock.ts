// Seed 004 "8. 死锁现象/递归锁" and "9. 递归锁RLock": taking a Lock twice deadlocks its own
// holder (here a timeout shows it instead of hanging); an RLock counts its owner's acquires.
import { isMainProcess, Lock, Process, RLock } from 'multiprocessing';

export async function twice(mutex: Lock | RLock, label: string): Promise<void> {
  await mutex.acquire();
  const again = await mutex.acquire({ timeout: 200 }); // the second acquire of the same holder
  console.log(`${label}: second acquire ${again ? 'succeeded (count 2)' : 'would deadlock (timed out)'}`);
  if (again) mutex.release();
  mutex.release();
}

if (isMainProcess()) {
  for (const [mutex, label] of [
    [new Lock(), 'Lock'],
    [new RLock(), 'RLock'],
  ] as const) {
    const p = new Process({ target: twice, args: [mutex, label] });
    p.start();
    await p.join();
  }
}
