// Seed 001 "7.3 共享内存" Value: money = Value('i', 5000); one process earns, another spends,
// both change the same shared integer. (sleeps 0.2 s / 0.15 s scaled to 20 ms / 15 ms.)
import { isMainProcess, Process, type SharedValue, Value } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randint = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

export async function man(money: SharedValue<number>): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await sleep(20);
    await money.getLock().withLock(() => {
      money.value += randint(1, 1000);
    });
  }
}

export async function girl(money: SharedValue<number>): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await sleep(15);
    await money.getLock().withLock(() => {
      money.value -= randint(100, 800);
    });
  }
}

if (isMainProcess()) {
  const money = Value('i', 5000) as SharedValue<number>; // 创建共享内存
  const m = new Process({ target: man, args: [money] });
  const g = new Process({ target: girl, args: [money] });
  m.start();
  g.start();
  await Promise.all([m.join(), g.join()]);
  console.log('一月余额:', money.value); // 获取共享内存值
}
