// A pipeline of three stages connected by queues: a reader of numbers, a squarer, a
// printer. `null` marks the end of the stream and is passed along.
import { isMainProcess, Process, Queue } from 'multiprocessing';

export async function source(out: Queue<number | null>, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await out.put(i);
  await out.put(null);
}

export async function square(input: Queue<number | null>, out: Queue<number | null>): Promise<void> {
  for (;;) {
    const n = await input.get();
    await out.put(n === null ? null : n * n);
    if (n === null) return;
  }
}

export async function sink(input: Queue<number | null>): Promise<void> {
  let total = 0;
  for (;;) {
    const n = await input.get();
    if (n === null) break;
    total += n;
  }
  console.log('sum of squares:', total);
}

if (isMainProcess()) {
  const numbers = new Queue<number | null>(10);
  const squares = new Queue<number | null>(10);
  const stages = [
    new Process({ target: source, args: [numbers, 100] }),
    new Process({ target: square, args: [numbers, squares] }),
    new Process({ target: sink, args: [squares] }),
  ];
  for (const stage of stages) stage.start();
  await Promise.all(stages.map((stage) => stage.join()));
}
