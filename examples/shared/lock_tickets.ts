// The classic ticket-buying example for Lock (互斥锁): everyone may look up how many tickets
// are left at the same time, but buying (read, check, write) must be done by one process at
// a time, or two buyers get the last ticket.
import { isMainProcess, Lock, Process, type SharedValue, Value } from 'multiprocessing';

export function search(name: string, tickets: SharedValue<number>): void {
  console.log(`${name} 查询余票: ${tickets.value}`);
}

export async function buy(name: string, tickets: SharedValue<number>, mutex: Lock): Promise<void> {
  await mutex.withLock(async () => {
    const left = tickets.value;
    await new Promise((resolve) => setTimeout(resolve, 10)); // the network round trip of a purchase
    if (left > 0) {
      tickets.value = left - 1;
      console.log(`${name} 购票成功`);
    } else {
      console.log(`${name} 购票失败: 没有票了`);
    }
  });
}

export async function customer(name: string, tickets: SharedValue<number>, mutex: Lock): Promise<void> {
  search(name, tickets);
  await buy(name, tickets, mutex);
}

if (isMainProcess()) {
  const tickets = Value('i', 2, { lock: false }) as SharedValue<number>; // the Lock below guards it
  const mutex = new Lock();
  const buyers = Array.from(
    { length: 5 },
    (_, i) => new Process({ target: customer, args: [`用户${i + 1}`, tickets, mutex] }),
  );
  for (const p of buyers) p.start();
  await Promise.all(buyers.map((p) => p.join()));
  console.log('余票:', tickets.value); // 0, and exactly two buyers succeeded
}
