// Seed 001 "5.1 multiprocessing进程属性" and seed 004's list: name, pid, isAlive(), daemon,
// terminate().
import { isMainProcess, Process } from 'multiprocessing';

export async function work(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
}

if (isMainProcess()) {
  const p = new Process({ target: work, name: 'worker-1' });
  console.log('before start: name', p.name, 'pid', p.pid, 'alive', p.isAlive(), 'daemon', p.daemon);
  p.start();
  console.log('after start:  name', p.name, 'pid', p.pid, 'alive', p.isAlive());
  const q = new Process({ target: work });
  console.log('default name:', q.name); // Process-2
  p.terminate(); // 立即终结当前进程
  await p.join();
  console.log('after terminate: alive', p.isAlive(), 'exitcode', p.exitcode); // false -15
}
