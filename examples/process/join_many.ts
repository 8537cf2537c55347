// Seed 002 "3. join": join() waits for one child; to wait for many without serialising
// them, start them all, keep them in a list, then join each.
import { isMainProcess, Process } from 'multiprocessing';

export function firstMail(i?: number): void {
  console.log(`發送第一封郵件${i ?? ''} :  我的親親領導,你在麼?`);
}

if (isMainProcess()) {
  const p = new Process({ target: firstMail });
  p.start();
  await p.join();
  console.log('發送第二封郵件 :  我想說,工資一個月給我漲到6萬');

  const list: Process[] = [];
  for (let i = 1; i <= 10; i++) {
    const child = new Process({ target: firstMail, args: [i] });
    child.start(); // a join() here would run them one after another
    list.push(child);
  }
  await Promise.all(list.map((child) => child.join()));
  console.log('發送第二封郵件 :  我想說,工資一個月給我漲到6萬');
}
