import { Pool, isMainProcess } from 'multiprocessing';
export function sq(x: number): number { const y: number = x * x; return y; }
if (isMainProcess()) {
  const pool = new Pool(2);
  const r = await pool.map(sq, [1, 2, 3]);
  console.log('pool under TS loader:', JSON.stringify(r));
  pool.close(); await pool.join();
}
