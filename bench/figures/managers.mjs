// P13: a manager dict set from a child, as the anchors' A8 measures it: Manager(), a dict, a
// child (spawn) that sets 20 000 keys and reports the time it took, timed inside the child.
// Usage: node bench/figures/managers.mjs -> one JSON line
import { isMainProcess, Manager, Pipe, Process } from 'multiprocessing';
import { setKeys } from '../manager-tasks.mjs';

const N = 20_000;

if (isMainProcess()) {
  const metrics = {};
  const start = performance.now();
  const manager = await Manager();
  metrics.manager_start_ms = performance.now() - start;
  try {
    const d = await manager.dict();
    const [a, b] = Pipe(false);
    const child = new Process({ target: setKeys, args: [d, b, N] });
    child.start();
    const ms = await a.recv();
    await child.join();
    if ((await d.size()) !== N || (await d.get(N - 1)) !== N - 1) throw new Error('bad dict contents');
    metrics.dict_set_us_per_op = (ms * 1000) / N;
  } finally {
    await manager.shutdown();
  }
  console.log(JSON.stringify({ fig: 'managers', metrics, params: { n: N, method: 'spawn' } }));
}
