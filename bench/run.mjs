// The benchmark runner: each figure of ours runs in a fresh process next to its anchor
// (Python's multiprocessing through python3, bare Node, the C futex reference), in the same
// invocation, and the table reports ours, the anchor, the ratio and whether the goal is met.
// Node processes run with NODE_EXTRA_CA_CERTS unset, as the anchors were measured.
// Usage: npm run bench [-- --repeat N] [-- --only P1,futex,pool,managers]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { repeat: { type: 'string', default: '3' }, only: { type: 'string' } },
});
const repeat = Number(values.repeat);
const only = values.only?.split(',');
const root = new URL('..', import.meta.url).pathname;
const anchors = new URL('../../shared/anchors/', import.meta.url).pathname;
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_TEST_CONTEXT;

function json(command, args, options = {}) {
  const out = execFileSync(command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return JSON.parse(line);
}
/**
 * Like json(), for figures that may fail while the code they measure has a bug: a command
 * that fails or times out gives empty metrics (its rows then read "failed") instead of
 * ending the run. The failure, and any `errors` the figure reports, go to stderr.
 */
function tryJson(command, args, options = {}) {
  const what = [command, ...args].join(' ').replace(root, '');
  try {
    const result = json(command, args, { timeout: 180_000, killSignal: 'SIGKILL', ...options });
    for (const [key, message] of Object.entries(result.errors ?? {})) {
      process.stderr.write(`  ${what}: ${key}: ${message}\n`);
    }
    return result;
  } catch (error) {
    const lines = `${error.stderr ?? ''}`.trim().split('\n');
    process.stderr.write(`  ${what} failed: ${error.message.split('\n')[0]}\n    ${lines.slice(-5).join('\n    ')}\n`);
    return { metrics: {} };
  }
}
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null; // every repetition failed
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Each figure: how to measure ours and the anchors, once per repetition. */
const figures = [
  {
    id: 'P1',
    run: () => ({
      ours: json('node', ['bench/figures/process-start.mjs', '20']).metrics,
      py: json(python, [`${anchors}py/bench_mp.py`, 'A1']).metrics,
      node: json('node', [`${anchors}node/spawn_latency.mjs`]).metrics,
    }),
    rows: (m) => [
      {
        name: 'P1 Process start→join, spawn (ms)',
        ours: m.ours.spawn_mean_ms,
        anchor: m.py.spawn_mean_ms,
        anchorName: 'Python spawn',
        goal: 0.6,
        lowerIsBetter: true,
      },
      {
        name: 'P1 Process start→join, spawn (ms)',
        ours: m.ours.spawn_mean_ms,
        anchor: m.node.fork_mean_ms,
        anchorName: 'bare child_process.fork',
        lowerIsBetter: true,
      },
      {
        name: 'P1 Process start→join, spawn (ms)',
        ours: m.ours.spawn_mean_ms,
        anchor: m.py.fork_mean_ms,
        anchorName: 'Python fork',
        goal: 1,
        lowerIsBetter: true,
      },
      {
        name: 'P1 Process start→join, thread (ms)',
        ours: m.ours.thread_mean_ms,
        anchor: m.py.spawn_mean_ms,
        anchorName: 'Python spawn',
        lowerIsBetter: true,
      },
      {
        name: 'P1 Process start→join, thread (ms)',
        ours: m.ours.thread_mean_ms,
        anchor: m.node.worker_mean_ms,
        anchorName: 'bare new Worker',
        lowerIsBetter: true,
      },
      {
        name: 'P1 Process start→join, thread (ms)',
        ours: m.ours.thread_mean_ms,
        anchor: m.py.fork_mean_ms,
        anchorName: 'Python fork',
        goal: 1,
        lowerIsBetter: true,
      },
    ],
  },
  {
    id: 'futex',
    run: () => {
      const cDir = `${root}bench/results/c`;
      mkdirSync(cDir, { recursive: true });
      if (!existsSync(`${cDir}/futex_pingpong`)) {
        execFileSync('gcc', ['-O2', '-Wall', '-o', `${cDir}/futex_pingpong`, `${anchors}c/futex_pingpong.c`]);
      }
      return {
        ours: json('node', ['bench/figures/futex-pingpong.mjs', '20000']).metrics,
        c: json(`${cDir}/futex_pingpong`, []).metrics,
      };
    },
    rows: (m) => [
      {
        name: 'futex wake round trip, 2 processes (µs)',
        ours: m.ours.sync_us_per_roundtrip,
        anchor: m.c.us_per_roundtrip,
        anchorName: 'C futex ping-pong',
        lowerIsBetter: true,
      },
    ],
  },
  {
    id: 'locks',
    run: () => ({
      ours: json('node', ['bench/figures/locks.mjs']).metrics,
      py: json(python, [`${anchors}py/bench_mp.py`, 'A7']).metrics,
    }),
    rows: (m) => [
      {
        name: 'P11 Lock acquire+release uncontended, acquireSync (pairs/s)',
        ours: m.ours.uncontended_sync_pairs_per_s,
        anchor: m.py.uncontended_pairs_per_s,
        anchorName: 'Python Lock',
        goal: 2,
      },
      {
        name: 'P11 Lock acquire+release uncontended, await acquire() (pairs/s)',
        ours: m.ours.uncontended_async_pairs_per_s,
        anchor: m.py.uncontended_pairs_per_s,
        anchorName: 'Python Lock',
      },
      {
        name: 'P12 2 processes × 100k locked increments, acquireSync (s)',
        ours: m.ours.contended_2proc_sync_s,
        anchor: m.py.contended_2proc_total_s,
        anchorName: 'Python Value+get_lock',
        goal: 0.5,
        lowerIsBetter: true,
      },
      {
        name: 'P12 2 processes × 100k locked increments, await acquire() (s)',
        ours: m.ours.contended_2proc_async_s,
        anchor: m.py.contended_2proc_total_s,
        anchorName: 'Python Value+get_lock',
        lowerIsBetter: true,
      },
      {
        name: 'wake latency of an acquire blocked in another process (µs)',
        ours: m.ours.wake_latency_median_us,
        anchor: 1,
        anchorName: '(absolute)',
        lowerIsBetter: true,
      },
      {
        name: 'P15 10 000 pending acquires: RSS growth (MiB)',
        ours: m.ours.pending_10k_rss_growth_mib,
        anchor: 1,
        anchorName: '(absolute)',
        lowerIsBetter: true,
      },
      {
        name: 'P15 10 000 pending acquires: all served in (ms)',
        ours: m.ours.pending_10k_drain_ms,
        anchor: 1,
        anchorName: '(absolute)',
        lowerIsBetter: true,
      },
    ],
  },
  {
    id: 'messages',
    run: () => ({
      ours: json('node', ['bench/figures/messages.mjs']).metrics,
      queue: json(python, [`${anchors}py/bench_mp.py`, 'A5']).metrics,
      pipe: json(python, [`${anchors}py/bench_mp.py`, 'A6']).metrics,
      ipc: json('node', [`${anchors}node/ipc_bench.mjs`, 'bp']).metrics,
    }),
    rows: (m) => [
      {
        name: 'P6 Queue small items, process → process (msg/s)',
        ours: m.ours.queue_small_msgs_per_s,
        anchor: m.queue.small_int_msgs_per_s,
        anchorName: 'Python Queue',
        goal: 10,
      },
      {
        name: 'P6 Queue small items, process → process (msg/s)',
        ours: m.ours.queue_small_msgs_per_s,
        anchor: m.ipc.json_small_msgs_per_s,
        anchorName: 'Node IPC channel (JSON)',
      },
      {
        name: 'P7 Queue 1 MiB payloads (MB/s)',
        ours: m.ours.queue_1MiB_MB_per_s,
        anchor: m.queue['1MiB_MB_per_s'],
        anchorName: 'Python Queue',
        goal: 3,
      },
      {
        name: 'P7 Queue 1 MiB payloads (MB/s)',
        ours: m.ours.queue_1MiB_MB_per_s,
        anchor: m.ipc.advanced_1MiB_MB_per_s,
        anchorName: 'Node IPC channel (advanced)',
      },
      {
        name: 'P8 Pipe small messages (msg/s)',
        ours: m.ours.pipe_small_msgs_per_s,
        anchor: m.pipe.small_int_msgs_per_s,
        anchorName: 'Python Pipe',
        goal: 10,
      },
      {
        name: 'P9 Pipe ping-pong round trip (µs)',
        ours: m.ours.pipe_pingpong_roundtrip_us,
        anchor: m.pipe.pingpong_roundtrip_us,
        anchorName: 'Python Pipe',
        goal: 0.5,
        lowerIsBetter: true,
      },
      {
        name: 'P10 Pipe 1 MiB sendBytes/recvBytes (MB/s)',
        ours: m.ours.pipe_1MiB_bytes_MB_per_s,
        anchor: m.pipe['1MiB_send_bytes_recv_bytes_MB_per_s'],
        anchorName: 'Python Pipe',
        goal: 2,
      },
      {
        name: 'Queue holding 1 000 000 small items: RSS growth (MiB)',
        ours: m.ours.queue_1M_items_rss_growth_mib,
        anchor: 1,
        anchorName: '(absolute)',
        lowerIsBetter: true,
      },
    ],
  },
  {
    id: 'managers',
    run: () => ({
      ours: json('node', ['bench/figures/managers.mjs']).metrics,
      py: json(python, [`${anchors}py/bench_mp.py`, 'A8']).metrics,
    }),
    rows: (m) => [
      {
        name: 'P13 manager dict set from a child (µs/op)',
        ours: m.ours.dict_set_us_per_op,
        anchor: m.py.dict_set_us_per_op,
        anchorName: 'Python Manager().dict()',
        goal: 0.5,
        lowerIsBetter: true,
      },
      {
        name: 'Manager() start (ms)',
        ours: m.ours.manager_start_ms,
        anchor: m.py.manager_start_ms,
        anchorName: 'Python Manager(), fork',
        lowerIsBetter: true,
      },
    ],
  },
  {
    // Pool figures: start-up, P2, P3, P4, P5, P14. About 30 s per repetition on 2 vCPUs.
    id: 'pool',
    run: () => ({
      ours: tryJson('node', ['bench/figures/pool.mjs']).metrics,
      ours100k: tryJson('node', ['bench/figures/pool.mjs', 'tiny100k']).metrics,
      oursMem: tryJson('node', ['bench/figures/pool-rss.mjs', 'ours']).metrics,
      bareMem: tryJson('node', ['bench/figures/pool-rss.mjs', 'bare']).metrics,
      peersMem: tryJson('node', ['bench/figures/pool-rss.mjs', 'peers']).metrics,
      piscina: tryJson('node', ['bench/figures/pool-peers.mjs', 'piscina', 'tiny', 'seq', 'cpu']).metrics,
      tinypool: tryJson('node', ['bench/figures/pool-peers.mjs', 'tinypool', 'tiny', 'seq', 'cpu']).metrics,
      workerpool: tryJson('node', ['bench/figures/pool-peers.mjs', 'workerpool', 'tiny', 'seq', 'cpu']).metrics,
      // 100k tasks, each pool in a fresh process: the anchors' B1, which gave piscina's 23 k/s.
      piscina100k: tryJson('node', ['bench/figures/pool-peers.mjs', 'piscina', 'tiny100k']).metrics,
      tinypool100k: tryJson('node', ['bench/figures/pool-peers.mjs', 'tinypool', 'tiny100k']).metrics,
      workerpool100k: tryJson('node', ['bench/figures/pool-peers.mjs', 'workerpool', 'tiny100k']).metrics,
      pyMap: tryJson(python, [`${anchors}py/bench_mp.py`, 'A2']).metrics,
      pyApply: tryJson(python, ['bench/figures/pool-python.py', 'submit']).metrics,
      pyLatency: tryJson(python, [`${anchors}py/bench_mp.py`, 'A3']).metrics,
      pyCpu: tryJson(python, [`${anchors}py/bench_mp.py`, 'A4']).metrics,
      pyMem: tryJson(python, [`${anchors}py/bench_mp.py`, 'A9']).metrics,
    }),
    rows: (m) => [
      {
        name: 'Pool(2) start-up → first apply result, spawn (ms)',
        ours: m.ours.startup_spawn_ready_ms,
        anchor: m.pyMap.spawn_pool_ctor_plus_first_roundtrip_ms,
        anchorName: 'Python Pool(2), spawn',
        lowerIsBetter: true,
      },
      {
        name: 'Pool(2) start-up → first apply result, spawn (ms)',
        ours: m.ours.startup_spawn_ready_ms,
        anchor: m.pyMap.fork_pool_ctor_plus_first_roundtrip_ms,
        anchorName: 'Python Pool(2), fork',
        lowerIsBetter: true,
      },
      {
        name: 'Pool(2) start-up → first apply result, thread (ms)',
        ours: m.ours.startup_thread_ready_ms,
        anchor: m.piscina.startup_ready_ms,
        anchorName: 'piscina (2 threads)',
        lowerIsBetter: true,
      },
      {
        name: 'Pool(2) start-up → first apply result, thread (ms)',
        ours: m.ours.startup_thread_ready_ms,
        anchor: m.tinypool.startup_ready_ms,
        anchorName: 'tinypool (2 threads)',
        lowerIsBetter: true,
      },
      {
        name: 'Pool(2) start-up → first apply result, thread (ms)',
        ours: m.ours.startup_thread_ready_ms,
        anchor: m.workerpool.startup_ready_ms,
        anchorName: 'workerpool (2 threads)',
        lowerIsBetter: true,
      },
      {
        name: 'Pool(2) start-up → first apply result, thread (ms)',
        ours: m.ours.startup_thread_ready_ms,
        anchor: m.pyMap.fork_pool_ctor_plus_first_roundtrip_ms,
        anchorName: 'Python Pool(2), fork',
        lowerIsBetter: true,
      },
      {
        name: 'P2 Pool(2).map 100k tiny tasks, default chunksize (tasks/s)',
        ours: m.ours.map_default_tasks_per_s,
        anchor: m.pyMap.map_default_chunksize_tasks_per_s,
        anchorName: 'Python Pool(2).map',
        goal: 1,
      },
      {
        name: 'P3 20k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours.apply_all_at_once_spawn_tasks_per_s,
        anchor: m.pyMap.map_chunksize1_tasks_per_s,
        anchorName: 'Python map(chunksize=1)',
        goal: 4,
      },
      {
        name: 'P3 20k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours.apply_all_at_once_spawn_tasks_per_s,
        anchor: m.pyApply.apply_async_all_at_once_tasks_per_s,
        anchorName: 'Python apply_async all at once',
      },
      {
        name: 'P3 20k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours.apply_all_at_once_spawn_tasks_per_s,
        anchor: m.piscina.tiny_tasks_per_s,
        anchorName: 'piscina run()',
        goal: 8,
      },
      {
        name: 'P3 20k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours.apply_all_at_once_spawn_tasks_per_s,
        anchor: m.tinypool.tiny_tasks_per_s,
        anchorName: 'tinypool run()',
      },
      {
        name: 'P3 20k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours.apply_all_at_once_spawn_tasks_per_s,
        anchor: m.workerpool.tiny_tasks_per_s,
        anchorName: 'workerpool exec() (threads)',
      },
      {
        name: 'P3 20k tiny apply() all at once, thread (tasks/s)',
        ours: m.ours.apply_all_at_once_thread_tasks_per_s,
        anchor: m.piscina.tiny_tasks_per_s,
        anchorName: 'piscina run()',
      },
      {
        name: 'P3 100k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours100k.apply_all_at_once_100k_spawn_tasks_per_s,
        anchor: m.piscina100k.tiny_100k_tasks_per_s,
        anchorName: 'piscina run(), 100k',
        goal: 8,
      },
      {
        name: 'P3 100k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours100k.apply_all_at_once_100k_spawn_tasks_per_s,
        anchor: m.tinypool100k.tiny_100k_tasks_per_s,
        anchorName: 'tinypool run(), 100k',
      },
      {
        name: 'P3 100k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours100k.apply_all_at_once_100k_spawn_tasks_per_s,
        anchor: m.workerpool100k.tiny_100k_tasks_per_s,
        anchorName: 'workerpool exec(), 100k',
      },
      {
        name: 'P3 100k tiny apply() all at once, spawn (tasks/s)',
        ours: m.ours100k.apply_all_at_once_100k_spawn_tasks_per_s,
        anchor: m.pyApply.apply_async_all_at_once_tasks_per_s,
        anchorName: 'Python apply_async all at once (20k)',
        goal: 4,
      },
      {
        name: 'P3 Pool(2).map 20k tiny tasks, chunksize 1, after the 100k map (tasks/s)',
        ours: m.ours.map_chunksize1_after_default_tasks_per_s,
        anchor: m.pyMap.map_chunksize1_tasks_per_s,
        anchorName: 'Python map(chunksize=1), same sequence (A2)',
        goal: 4,
      },
      {
        name: 'P3 Pool(2).map 20k tiny tasks, chunksize 1 (tasks/s)',
        ours: m.ours.map_chunksize1_tasks_per_s,
        anchor: m.pyMap.map_chunksize1_tasks_per_s,
        anchorName: 'Python map(chunksize=1)',
        goal: 4,
      },
      {
        name: 'Pool(2).imap 20k tiny tasks, default chunksize (1) (tasks/s)',
        ours: m.ours.imap_default_tasks_per_s,
        anchor: m.pyApply.imap_default_tasks_per_s,
        anchorName: 'Python imap, fork',
      },
      {
        name: 'P3 20k tiny submit() all at once, ProcessPoolExecutor(2), spawn (tasks/s)',
        ours: m.ours.executor_submit_all_at_once_tasks_per_s,
        anchor: m.pyApply.ppe_submit_all_at_once_tasks_per_s,
        anchorName: 'Python ProcessPoolExecutor(2) submit() all at once, fork',
        goal: 4,
      },
      {
        name: 'P3 20k tiny submit() all at once, ProcessPoolExecutor(2), spawn (tasks/s)',
        ours: m.ours.executor_submit_all_at_once_tasks_per_s,
        anchor: m.piscina.tiny_tasks_per_s,
        anchorName: 'piscina run()',
        goal: 8,
      },
      {
        name: 'P4 sequential apply() round trip, spawn (µs)',
        ours: m.ours.apply_sequential_spawn_us,
        anchor: m.piscina.seq_us_per_call,
        anchorName: 'piscina run()',
        goal: 1,
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, spawn (µs)',
        ours: m.ours.apply_sequential_spawn_us,
        anchor: m.pyLatency.pool_apply_async_get_us,
        anchorName: 'Python apply_async().get()',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, thread (µs)',
        ours: m.ours.apply_sequential_thread_us,
        anchor: m.piscina.seq_us_per_call,
        anchorName: 'piscina run()',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, thread (µs)',
        ours: m.ours.apply_sequential_thread_us,
        anchor: m.tinypool.seq_us_per_call,
        anchorName: 'tinypool run()',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, thread (µs)',
        ours: m.ours.apply_sequential_thread_us,
        anchor: m.workerpool.seq_us_per_call,
        anchorName: 'workerpool exec()',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, median, spawn (µs)',
        ours: m.ours.apply_sequential_spawn_median_us,
        anchor: m.piscina.seq_us_median,
        anchorName: 'piscina run(), median',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential apply() round trip, median, thread (µs)',
        ours: m.ours.apply_sequential_thread_median_us,
        anchor: m.piscina.seq_us_median,
        anchorName: 'piscina run(), median',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential submit().result() round trip, ProcessPoolExecutor(2), spawn (µs)',
        ours: m.ours.executor_sequential_us,
        anchor: m.piscina.seq_us_per_call,
        anchorName: 'piscina run()',
        goal: 1,
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential submit().result() round trip, ProcessPoolExecutor(2), spawn (µs)',
        ours: m.ours.executor_sequential_us,
        anchor: m.pyLatency.ppe_submit_result_us,
        anchorName: 'Python ProcessPoolExecutor(2) submit().result(), fork',
        lowerIsBetter: true,
      },
      {
        name: 'P4 sequential submit().result() round trip, median, spawn (µs)',
        ours: m.ours.executor_sequential_median_us,
        anchor: m.piscina.seq_us_median,
        anchorName: 'piscina run(), median',
        lowerIsBetter: true,
      },
      {
        name: 'P5 CPU-bound speed-up, 8 × primeSum on 2 workers (×)',
        ours: m.ours.cpu_speedup,
        anchor: m.pyCpu.speedup,
        anchorName: 'Python Pool(2).map',
        check: { text: '≥ 1.9 (limit 2.0)', met: (ours) => ours >= 1.9 },
      },
      // (P5's goal is absolute; each peer's speed-up is shown beside ours)
      ...['piscina', 'tinypool', 'workerpool'].map((peer) => ({
        name: 'P5 CPU-bound speed-up, 8 × primeSum on 2 workers (×)',
        ours: m.ours.cpu_speedup,
        anchor: m[peer].cpu_speedup,
        anchorName: peer,
        check: { text: '≥ 1.9 (limit 2.0)', met: (ours) => ours >= 1.9 },
      })),
      {
        name: 'P14 idle Pool worker process, VmRSS (MiB)',
        ours: m.oursMem.spawn_worker_VmRSS_MiB,
        anchor: m.bareMem.fork_child_VmRSS_MiB,
        anchorName: 'bare child_process.fork',
        lowerIsBetter: true,
        check: { text: '≤ anchor + 5 MiB', met: (ours, anchor) => ours <= anchor + 5 },
      },
      // (like for like: the same allowance against the bare child in the same state, our workers
      // after 1000 tasks against it after one optimized loop, after 2 tasks against it idle)
      {
        name: 'P14 idle Pool worker process, VmRSS (MiB)',
        ours: m.oursMem.spawn_worker_VmRSS_MiB,
        anchor: m.bareMem.fork_child_optimized_VmRSS_MiB,
        anchorName: 'bare fork, one loop optimized',
        lowerIsBetter: true,
        check: { text: '≤ anchor + 5 MiB', met: (ours, anchor) => ours <= anchor + 5 },
      },
      {
        name: 'P14 idle Pool worker process after 2 tasks, VmRSS (MiB)',
        ours: m.oursMem.spawn_worker_2_tasks_VmRSS_MiB,
        anchor: m.bareMem.fork_child_VmRSS_MiB,
        anchorName: 'bare child_process.fork',
        lowerIsBetter: true,
        check: { text: '≤ anchor + 5 MiB', met: (ours, anchor) => ours <= anchor + 5 },
      },
      ...['tinypool', 'workerpool'].map((peer) => ({
        name: 'P14 idle Pool worker process, VmRSS (MiB)',
        ours: m.oursMem.spawn_worker_VmRSS_MiB,
        anchor: m.peersMem[`${peer}_process_worker_VmRSS_MiB`],
        anchorName: `${peer} process worker`,
        lowerIsBetter: true,
      })),
      {
        name: 'P14 idle Pool worker process, VmRSS (MiB)',
        ours: m.oursMem.spawn_worker_VmRSS_MiB,
        anchor: m.pyMem.spawn_worker_VmRSS_MiB,
        anchorName: 'Python Pool worker, spawn',
        lowerIsBetter: true,
      },
      {
        name: 'P14 idle Pool worker process, Pss (MiB)',
        ours: m.oursMem.spawn_worker_Pss_MiB,
        anchor: m.bareMem.fork_child_Pss_MiB,
        anchorName: 'bare child_process.fork',
        lowerIsBetter: true,
      },
      {
        name: 'P14 idle ThreadPool worker, process VmRSS per worker (MiB)',
        ours: m.oursMem.thread_VmRSS_delta_per_worker_MiB,
        anchor: m.pyMem.fork_worker_VmRSS_MiB,
        anchorName: 'Python Pool worker, fork',
        goal: 1,
        lowerIsBetter: true,
      },
      {
        name: 'P14 idle ThreadPool worker, process VmRSS per worker (MiB)',
        ours: m.oursMem.thread_VmRSS_delta_per_worker_MiB,
        anchor: m.bareMem.thread_VmRSS_delta_per_worker_MiB,
        anchorName: 'bare new Worker',
        lowerIsBetter: true,
      },
    ],
  },
];

const results = [];
for (const figure of figures) {
  if (only && !only.includes(figure.id)) continue;
  const reps = [];
  for (let i = 0; i < repeat; i++) {
    process.stderr.write(`${figure.id}: repetition ${i + 1} of ${repeat}\n`);
    reps.push(figure.rows(figure.run()));
  }
  // Median over repetitions, row by row; the ratio is taken within each repetition first.
  reps[0].forEach((row, r) => {
    const ratios = reps.map((rep) => (rep[r].ours ?? Number.NaN) / (rep[r].anchor ?? Number.NaN));
    results.push({
      ...row,
      ours: median(reps.map((rep) => rep[r].ours)),
      anchor: median(reps.map((rep) => rep[r].anchor)),
      ratio: median(ratios),
    });
  });
}

const fmt = (x) =>
  x === null
    ? 'failed'
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)} M`
      : x >= 100
        ? x.toFixed(0)
        : x >= 10
          ? x.toFixed(1)
          : x.toFixed(3);
const lines = [
  '| figure | ours | anchor | anchor value | ratio (ours/anchor) | goal | met |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of results) {
  // A goal is a ratio to the anchor, or (check) a test of the values themselves.
  const failed = r.ours === null || r.anchor === null;
  const goal = r.check ? r.check.text : r.goal === undefined ? '—' : `${r.lowerIsBetter ? '≤' : '≥'} ${r.goal}×`;
  const met =
    r.goal === undefined && !r.check
      ? ''
      : failed
        ? 'no'
        : (r.check ? r.check.met(r.ours, r.anchor) : r.lowerIsBetter ? r.ratio <= r.goal : r.ratio >= r.goal)
          ? 'yes'
          : 'no';
  const absolute = r.anchorName === '(absolute)';
  const ratio = r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`;
  const anchorCells = absolute ? '— | — | —' : `${r.anchorName} | ${fmt(r.anchor)} | ${ratio}`;
  lines.push(`| ${r.name} | ${fmt(r.ours)} | ${anchorCells} | ${goal} | ${met} |`);
}
const table = lines.join('\n');
console.log(table);
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(
  `${root}bench/results/latest.json`,
  JSON.stringify({ date: new Date().toISOString(), repeat, results }, null, 2),
);
