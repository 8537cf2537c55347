// Task functions for the pool figures, shared by our Pool (sent by reference: each worker
// imports this module), piscina and tinypool (named exports picked with {name}) and
// workerpool (through pool-wp-worker.mjs). No top-level work, no imports: a worker that
// loads it pays nothing for it.

export function square(x) {
  return x * x;
}

export function noop() {
  return null;
}

/**
 * Sum of primes below `limit`, trial division by odd divisors: the same algorithm as the
 * anchors' prime.cjs (limit 2 000 000 → 142913828922, ~190 ms per call on the anchor machine).
 */
export function primeSum(limit) {
  let total = 0;
  for (let n = 2; n < limit; n++) {
    if (n % 2 === 0) {
      if (n === 2) total += 2;
      continue;
    }
    let isPrime = true;
    for (let i = 3; i * i <= n; i += 2) {
      if (n % i === 0) {
        isPrime = false;
        break;
      }
    }
    if (isPrime) total += n;
  }
  return total;
}

/**
 * One call per worker, before a figure's warm-up: the barrier (an argument: this module
 * imports nothing) holds the first worker's call until every worker has taken one, so all are
 * up and have loaded this module before anything is timed, as with the anchors' pools (Python
 * forks its workers in ~5 ms; the anchors' P5 warm-up is "one prime call per worker"). A pool
 * hands tasks out as its workers come up: without the barrier, the first worker up could take
 * the whole warm-up while another was still starting, and the timing then began without it.
 */
export async function meetThenPrimeSum(barrier, limit) {
  await barrier.wait(30_000);
  return primeSum(limit);
}

export default square;

/** Sizes shared by our pool figures and the peers' (pool.mjs, pool-peers.mjs): same work for all. */
export const WORKERS = 2;
export const MAP_ITEMS = 100_000;
export const TINY_TASKS = 20_000;
/** The anchors' own size for the peers' tiny-task figure (bench_pool.mjs B1: piscina 23 k/s was 100k tasks). */
export const TINY_TASKS_LARGE = 100_000;
export const TINY_WARMUP = 1000;
export const ROUND_TRIPS = 2000;
export const ROUND_TRIP_WARMUP = 200;
export const PRIME_LIMIT = 2_000_000;
export const CPU_TASKS = 8;
export const range = (n) => Array.from({ length: n }, (_, i) => i);
