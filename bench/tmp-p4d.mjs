import { Pool, isMainProcess } from 'multiprocessing';
import { square } from './pool-tasks.mjs';
if (isMainProcess()) {
  const pool = new Pool({ processes: 1, context: process.argv[2] ?? 'spawn' });
  for (let i = 0; i < 500; i++) await pool.apply(square, [i]);
  const times = [];
  for (let i = 0; i < 5000; i++) { const t = performance.now(); await pool.apply(square, [i]); times.push((performance.now() - t) * 1000); }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.floor(p * times.length)].toFixed(0);
  console.log('p10', q(0.1), 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99), 'mean', (times.reduce((a, b) => a + b) / times.length).toFixed(0), 'over 1ms', times.filter((t) => t > 1000).length);
  await pool.terminate();
}
