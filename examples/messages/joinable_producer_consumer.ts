// Seed 004 "JoinableQueue": the counter goes up with each put and down with each
// taskDone(); join() returns when it is back at zero. A producer fills the queue; two
// daemonic consumers work through it; the main program waits on join(), not on the consumers.
import { isMainProcess, JoinableQueue, Process } from 'multiprocessing';

export async function producer(q: JoinableQueue<string>, name: string): Promise<void> {
  for (let i = 1; i <= 4; i++) {
    await q.put(`${name}的包子${i}`);
    console.log(`${name} 生产了 包子${i}`);
  }
}

export async function consumer(q: JoinableQueue<string>, name: string): Promise<void> {
  for (;;) {
    const item = await q.get();
    await new Promise((resolve) => setTimeout(resolve, 20));
    console.log(`${name} 吃了 ${item}`);
    q.taskDone();
  }
}

if (isMainProcess()) {
  const q = new JoinableQueue<string>();
  const p = new Process({ target: producer, args: [q, 'egon'] });
  const consumers = ['alex', 'wupeiqi'].map((name) => new Process({ target: consumer, args: [q, name], daemon: true }));
  p.start();
  for (const c of consumers) c.start();
  await p.join();
  await q.join(); // every item taken and marked done
  console.log('主进程: 所有包子都吃完了'); // the daemonic consumers end with the program
}
