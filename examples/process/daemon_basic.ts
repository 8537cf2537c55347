// Seed 002 "4. 守護進程" (1) and (2): a daemonic child is ended when the main program's code
// has finished; non-daemonic children are waited for. (sleep(1) scaled to 100 ms.)
import { Event, isMainProcess, Process } from 'multiprocessing';

export function func1(): void {
  console.log('start ... func1 執行當前子進程 ... ');
  console.log('end ...   func1 結束當前子進程 ... ');
}

export async function func2(printed: Event): Promise<void> {
  for (let count = 1; ; count++) {
    console.log('*'.repeat(count));
    printed.set();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (isMainProcess()) {
  const printed = new Event();
  const p1 = new Process({ target: func1 });
  const p2 = new Process({ target: func2, args: [printed] });
  p2.daemon = true; // 在進程啟動之前,設置守護進程
  p1.start();
  p2.start();
  await p1.join();
  // Let the daemon print a few lines (the seed's program ended at once); on a busy machine it
  // may start after p1 has ended, so first wait until it has printed one.
  await printed.wait(10_000);
  await p2.join(250);
  console.log('主進程執行結束 ... '); // the daemon is ended as the program exits
}
