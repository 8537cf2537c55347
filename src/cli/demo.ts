// `npm start`: a short tour with real processes and threads. The targets are exported so
// they pass by reference; this module has no top-level side effects, so children that
// import it (to find their target) do nothing else.
import { ProcessPoolExecutor } from '../futures.js';
import {
  cpuCount,
  currentProcess,
  Event,
  Pool,
  Process,
  parentProcess,
  type SharedValue,
  type StartMethod,
  Value,
} from '../index.js';
import { gantt, simulate } from '../sched.js';

export function greet(who: string): void {
  const me = currentProcess();
  console.log(
    `  ${me.name} (pid ${me.pid}, ident ${me.ident}) says hello to ${who}; parent is ${parentProcess()?.name}`,
  );
}

export function primeCount(limit: number): number {
  const count = countPrimes(limit);
  console.log(`  ${currentProcess().name}: ${count} primes below ${limit}`);
  return count;
}

export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export function dieHard(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** Adds 1 to the shared counter n times, each under its lock; waits for the start signal first. */
export async function addUnderLock(counter: SharedValue<number>, n: number, go: Event): Promise<void> {
  await go.wait();
  const lock = counter.getLock();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter.value += 1;
    lock.release();
  }
}

export function failing(): void {
  throw new Error('this target fails on purpose: the child prints it and exits with code 1');
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await fn();
  console.log(`  ${what}: ${(performance.now() - start).toFixed(1)} ms`);
  return result;
}

export async function runDemo(): Promise<number> {
  console.log(`multiprocessing demo — main program ${currentProcess().name}, pid ${process.pid}\n`);
  for (const context of ['spawn', 'thread'] as StartMethod[]) {
    console.log(`start method '${context}':`);
    await timed('start → join', async () => {
      const p = new Process({ target: greet, args: ['the demo'], context });
      p.start();
      await p.join();
      console.log(`  ${p.name} exitcode ${p.exitcode}`);
    });
    await timed('4 CPU-bound children in parallel', async () => {
      const children = [1, 2, 3, 4].map(
        (i) => new Process({ target: primeCount, args: [200_000 * i], context, name: `primes-${i}` }),
      );
      for (const child of children) child.start();
      await Promise.all(children.map((child) => child.join()));
    });
    const self = new Process({
      target: (n: number) => console.log(`  a self-contained arrow ran with n=${n}`),
      args: [7],
      context,
    });
    self.start();
    await self.join();
    const bad = new Process({ target: failing, context });
    bad.start();
    await bad.join();
    console.log(`  a failing target gives exitcode ${bad.exitcode}\n`);
  }
  console.log('shared memory across a process and a thread:');
  await timed('2 × 100 000 locked increments of one Value', async () => {
    const counter = Value('i', 0) as SharedValue<number>;
    const go = new Event();
    const children = (['spawn', 'thread'] as StartMethod[]).map(
      (context) => new Process({ target: addUnderLock, args: [counter, 100_000, go], context }),
    );
    for (const child of children) child.start();
    go.set();
    await Promise.all(children.map((child) => child.join()));
    console.log(`  counter.value = ${counter.value} (nothing lost)`);
  });
  console.log();
  const daemon = new Process({
    target: () => new Promise(() => setInterval(() => {}, 1000)),
    daemon: true,
  });
  daemon.start();
  await daemon.join(100);
  console.log(`a daemon (pid ${daemon.pid}) is alive: ${daemon.isAlive()}; terminate() →`);
  daemon.terminate();
  await daemon.join();
  console.log(`  exitcode ${daemon.exitcode} (-15 = SIGTERM)\n`);
  await poolDemo();
  schedDemo();
  return 0;
}

async function poolDemo(): Promise<void> {
  const limits = Array.from({ length: 8 }, (_, i) => 800_000 + i * 50_000);
  const serial = await timed(`8 prime counts one after another in this process`, async () =>
    limits.map(countPrimes).reduce((a, b) => a + b),
  );
  console.log(`Pool(${cpuCount()}) (worker processes):`);
  await using pool = new Pool();
  await pool.map(countPrimes, [10, 10, 10, 10]); // the workers are up
  const parallel = await timed('the same 8 with pool.map', async () =>
    (await pool.map(countPrimes, limits)).reduce((a, b) => a + b),
  );
  console.log(`  same total: ${serial === parallel} (${parallel} primes)`);
  const killed = await pool.apply(dieHard).catch((error: Error) => error.message);
  console.log(`  a worker killed mid-task: "${killed}"`);
  console.log(`  the pool replaced it and goes on: ${await pool.apply(countPrimes, [100])} primes below 100\n`);

  console.log('ProcessPoolExecutor (concurrent.futures):');
  const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
  const futures = [10_000, 20_000, 30_000].map((n) => executor.submit(countPrimes, n));
  futures[0]!.addDoneCallback((f) => console.log(`  a done-callback ran: done() = ${f.done()}`));
  console.log(`  results: ${(await Promise.all(futures)).join(', ')}`);
  const broken = await executor.submit(dieHard).then(
    () => 'no error',
    (error: Error) => `${error.name}: ${error.message}`,
  );
  console.log(`  a worker killed: ${broken}\n`);
  await executor.shutdown();
}

function schedDemo(): void {
  console.log("the seed's multilevel feedback queue, simulated (multiprocessing/sched):");
  const schedule = simulate(
    [
      { id: 'J1', arrival: 0, burst: 0.3 },
      { id: 'J2', arrival: 0, burst: 0.6 },
      { id: 'J3', arrival: 0, burst: 0.8 },
      { id: 'J4', arrival: 0, burst: 1.5 },
    ],
    { kind: 'mlfq', quanta: [0.4, 0.3, 0.2, 0.1] },
  );
  console.log(gantt(schedule, { format: 'text' }));
  console.log('more: npx multiprocessing sched --help');
}
