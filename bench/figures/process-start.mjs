// P1: Process start → join of a no-op target, per start method. One JSON line.
// Usage: node bench/figures/process-start.mjs [runs]
import { isMainProcess, Process } from 'multiprocessing';

export function noop() {}

if (isMainProcess()) {
  const runs = Number(process.argv[2] ?? 30);
  const metrics = {};
  for (const context of ['spawn', 'thread']) {
    const once = async () => {
      const start = performance.now();
      const p = new Process({ target: noop, context });
      p.start();
      await p.join();
      if (p.exitcode !== 0) throw new Error(`exitcode ${p.exitcode}`);
      return performance.now() - start;
    };
    await once(); // warm-up: starts the resource tracker, fills caches
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    metrics[`${context}_mean_ms`] = times.reduce((a, b) => a + b, 0) / runs;
  }
  console.log(JSON.stringify({ fig: 'P1', metrics, params: { runs } }));
}
