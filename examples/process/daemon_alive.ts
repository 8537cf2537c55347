// Seed 002 "(3) 守護進程用途: 監控報活": a daemon reports "I am OK" to the monitoring server
// while the service process works; when the service fails and the main program ends, the
// daemon ends with it, so the monitor notices the silence. (1 s / 3 s scaled to 100/300 ms.)
import { Event, isMainProcess, Process } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function alive(reported: Event): Promise<void> {
  for (;;) {
    console.log('3號服務器向總監控服務器發送報活信息: i am ok~');
    reported.set();
    await sleep(100);
  }
}

export async function func(): Promise<void> {
  for (;;) {
    try {
      console.log('3號服務器負責抗住3萬用戶量的並發訪問...');
      await sleep(300);
      throw new Error('overloaded'); // 主動拋出執行錯誤的異常
    } catch {
      console.log('3號服務器扛不住瞭.. 快來修理我..');
      break;
    }
  }
}

if (isMainProcess()) {
  const reported = new Event();
  const p1 = new Process({ target: alive, args: [reported], daemon: true });
  const p2 = new Process({ target: func });
  p1.start();
  // The monitor hears from the daemon before the service starts (on a busy machine the
  // daemon could otherwise start after the service has already failed).
  await reported.wait(10_000);
  p2.start();
  await p2.join(); // 必須等待p2這個子進程執行完畢
  console.log('主進程執行結束  .... '); // ...and the daemon p1 is ended now
}
