#!/usr/bin/env python3
"""P3 anchor that the anchors' bench_mp.py does not have: Python's Pool(2) fed 20k tiny tasks
one at a time, all submitted at once, as our figure does (fork, as the anchors measure):
pool.apply_async(square, (i,)) × 20k, then .get() each, after a warm-up of 1000 tasks
submitted the same way; and imap(square, range(20k)) with its default chunksize (1), after
a warm-up imap of 1000. With `submit`, also ProcessPoolExecutor(2).submit(square, i) × 20k
(~3 s more; the bench runs it). One JSON line.
Usage: python3 bench/figures/pool-python.py [submit]
"""
import json
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor

perf = time.perf_counter
N = 20_000
WARMUP = 1000


def square(x):
    return x * x


def burst_apply_async(pool, n):
    results = [pool.apply_async(square, (i,)) for i in range(n)]
    return [r.get() for r in results]


def burst_submit(ex, n):
    futures = [ex.submit(square, i) for i in range(n)]
    return [f.result() for f in futures]


def tasks_per_s(burst, pool):
    """A warm-up burst, then N tasks all at once: their rate."""
    burst(pool, WARMUP)
    t0 = perf()
    out = burst(pool, N)
    dt = perf() - t0
    assert out[-1] == (N - 1) ** 2
    return N / dt


def imap_tasks_per_s(pool):
    """imap with its default chunksize (1): a warm-up, then N tiny items."""
    for _ in pool.imap(square, range(WARMUP)):
        pass
    t0 = perf()
    last = None
    for last in pool.imap(square, range(N)):
        pass
    dt = perf() - t0
    assert last == (N - 1) ** 2
    return N / dt


def main():
    m = {}
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        m["apply_async_all_at_once_tasks_per_s"] = tasks_per_s(burst_apply_async, pool)
        m["imap_default_tasks_per_s"] = imap_tasks_per_s(pool)
    if "submit" in sys.argv[1:]:
        with ProcessPoolExecutor(2, mp_context=ctx) as ex:
            m["ppe_submit_all_at_once_tasks_per_s"] = tasks_per_s(burst_submit, ex)
    print(json.dumps({"suite": "py", "fig": "pool-python", "metrics": m,
                      "params": {"n": N, "warmup": WARMUP, "method": "fork", "workers": 2}}), flush=True)


if __name__ == "__main__":
    main()
