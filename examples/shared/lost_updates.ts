// The shared-memory lesson, with Value('i', 5000): two processes each add 1 to the
// same value a million times, starting together. `v.value += 1` is a read and a write:
// without the lock they overwrite each other's updates and some are lost; under getLock()
// none are.
import { Barrier, isMainProcess, Process, RawValue, type SharedValue, Value } from 'multiprocessing';

export async function addUnlocked(v: { value: number }, n: number, start: Barrier): Promise<void> {
  await start.wait();
  for (let i = 0; i < n; i++) v.value += 1;
}

export async function addLocked(v: SharedValue<number>, n: number, start: Barrier): Promise<void> {
  await start.wait();
  const lock = v.getLock();
  for (let i = 0; i < n; i++) {
    lock.acquireSync(); // a worker loop may block on purpose: the sync twin
    v.value += 1;
    lock.release();
  }
}

async function race(target: typeof addUnlocked | typeof addLocked, v: { value: number }, n: number): Promise<number> {
  const start = new Barrier(2);
  const children = [0, 1].map(() => new Process({ target, args: [v, n, start] }));
  for (const child of children) child.start();
  await Promise.all(children.map((child) => child.join()));
  return v.value;
}

if (isMainProcess()) {
  const n = 1_000_000;
  const expected = 5000 + 2 * n;
  const raw = RawValue('i', 5000) as { value: number };
  const unlocked = await race(addUnlocked, raw, n);
  console.log(`without a lock: ${unlocked} — ${expected - unlocked} of ${2 * n} updates lost`);
  const safe = Value('i', 5000) as SharedValue<number>;
  const locked = await race(addLocked, safe, n);
  console.log(`with the lock:  ${locked} — ${expected - locked} lost`);
}
