// A CPU-bound job of the kind pools are for (seed 001's related article
// "Python多进程与多线程的使用场景详解": 多进程 for 计算密集型 work): derive PBKDF2-SHA256 keys
// (100 000 rounds each, as a password store does) for 120 accounts, first one after another in
// this process, then with a Pool of cpuCount() workers, and compare the times. A progress bar
// (cli-progress, on stderr) follows the pool's work through map's onProgress option; when stderr
// is not a terminal it prints a plain line now and then instead of redrawing.
import { pbkdf2Sync } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import { cpuCount, isMainProcess, Pool } from 'multiprocessing';

interface Account {
  user: string;
  password: string;
  salt: string;
}

const ROUNDS = 100_000;

export function deriveKey(account: Account): string {
  return pbkdf2Sync(account.password, account.salt, ROUNDS, 32, 'sha256').toString('hex');
}

if (isMainProcess()) {
  const accounts: Account[] = Array.from({ length: 120 }, (_, i) => ({
    user: `user${String(i).padStart(3, '0')}`,
    password: `correct horse battery staple ${i * 7919}`,
    salt: `salt-${i.toString(16)}`,
  }));
  console.log(`${accounts.length} accounts, PBKDF2-SHA256 with ${ROUNDS} rounds each; cpuCount() = ${cpuCount()}`);

  let start = performance.now();
  const serial = accounts.map(deriveKey);
  const serialMs = performance.now() - start;
  console.log(`serial:          ${(serialMs / 1000).toFixed(2)} s`);

  const workers = cpuCount();
  const pool = new Pool(workers);
  const bar = new SingleBar({
    format: 'hashing [{bar}] {percentage}% | {value}/{total} keys | {duration_formatted}',
    noTTYOutput: true, // without a terminal: a line every notTTYSchedule ms instead of nothing
    notTTYSchedule: 1000,
    hideCursor: true,
  });
  start = performance.now(); // the workers' start-up counts: it is part of what a pool costs
  bar.start(accounts.length, 0);
  const parallel = await pool.map(deriveKey, accounts, {
    chunksize: 4, // small chunks keep the bar moving; each is still ~80 ms of work
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  const poolMs = performance.now() - start;
  pool.close();
  await pool.join();

  console.log(`Pool(${workers}):         ${(poolMs / 1000).toFixed(2)} s`);
  console.log(`speed-up:        ${(serialMs / poolMs).toFixed(2)}x on ${workers} workers`);
  const same = parallel.every((key, i) => key === serial[i]);
  console.log(`same keys both ways: ${same}; ${accounts[0].user} -> ${parallel[0].slice(0, 16)}…`);
  if (!same) process.exitCode = 1;
}
