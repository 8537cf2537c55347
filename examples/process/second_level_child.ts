// Seed 001 "创建二级子进程": the parent waits for a child, which starts a grandchild and
// exits at once; the grandchild, now an orphan, does the second job while the parent does
// the first. (Sleeps of 3 s and 4 s scaled to 300 ms and 400 ms.)
import { isMainProcess, Process } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function fun1(): Promise<void> {
  await sleep(300);
  console.log('第一件事情');
}

export async function fun2(): Promise<void> {
  await sleep(400);
  console.log('第二件事情');
}

/** The child: start the grandchild and leave without waiting for it. */
export function middle(): void {
  new Process({ target: fun2 }).start();
  process.exit(0); // os._exit(0): leave at once, without joining the grandchild
}

if (isMainProcess()) {
  const p = new Process({ target: middle });
  p.start();
  await p.join(); // os.wait()
  await fun1();
  // The grandchild is an orphan now (re-parented by the system); it prints after us or with us.
}
