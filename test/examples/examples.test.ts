// Every example runs, exits 0 and prints what its seed example shows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

const expectations: Record<string, RegExp[]> = {
  'process/fork_basics.ts': [/新进程创建成功/, /原来的进程/, /程序执行完毕/],
  'process/data_isolation.ts': [/a = {2}10000/, /parent a : 1/, /parent total : 100/],
  'process/pids.ts': [/1\.子進程id:\d+,2\.父進程id:\d+/, /parentProcess\(\): MainProcess/],
  'process/exit_status.ts': [/退出原因: 退出/, /status: 1/],
  'process/second_level_child.ts': [/第一件事情/, /第二件事情/],
  'process/create_and_join.ts': [/子进程事件 \d+/, /parent a: 1/],
  'process/attributes.ts': [/default name: Process-2/, /exitcode -15/],
  'process/args_and_async.ts': [/\*{6}/, /主進程執行結束瞭/, /父進程id:\d+ 10/],
  'process/join_many.ts': [/發送第一封郵件10/, /發送第二封郵件/],
  'process/subclass.ts': [/我是參數 = 我是參數/, /hello from Greeter/],
  'process/daemon_basic.ts': [/end ... {3}func1/, /\*\*/, /主進程執行結束/],
  'process/daemon_alive.ts': [/i am ok~/, /扛不住瞭/, /主進程執行結束/],
  'process/orphan.ts': [/exits now/, /now it is \d+ \(adopted\)/],
  'process/zombie.ts': [/gone \(reaped\)/, /active children after join: 0/],
  'process/thread_start_method.ts': [/worker 3: Process-3 runs in pid \d+ as thread/],
  'shared/value_money.ts': [/一月余额: -?\d+/],
  'shared/lost_updates.ts': [/with the lock: {2}2005000 — 0 lost/],
  'shared/array_hello.ts': [/^104$/m, /^Hello$/m],
  'shared/semaphore_three.ts': [/执行任务\.\.\.\.\.执行完成/, /person 6 runs/, /semaphore value at the end: 3/],
  'shared/lock_tickets.ts': [/余票: 0/],
  'shared/event_traffic_light.ts': [/car 4 drives through/, /绿灯亮了/],
  'messages/queue_request_handle.ts': [/^\d+ \+ \d+ = \d+$/m],
  'messages/queue_blocking.ts': [/put timed out: true/, /^a b$/m, /getNowait on an empty queue: true/],
  'messages/joinable_producer_consumer.ts': [/吃了 egon的包子4/, /所有包子都吃完了/],
  'messages/pipe_whisper.ts': [/管道2传给管道1的数据 肥水不流外人天/, /管道1传给管道2的数据 跟你说句悄悄话/],
  'messages/pipe_parent_child.ts': [/hello world/, /hi son/, /EOFError/],
  'messages/pipe_one_way.ts': [/one way only/],
  'messages/pipeline.ts': [/sum of squares: 338350/],
  'shared/rlock_deadlock.ts': [/Lock: second acquire would deadlock/, /RLock: second acquire succeeded/],
  'sched/mlfq_seed.ts': [/J4 在第4级队列完成/, /J3 在第3级队列完成/],
  'sched/fcfs_sjf_rr.ts': [/sjf +3\.00/],
  'sched/pool_replay.ts': [/CPU 1 /, /measured: makespan \d+ ms/, /simulated FCFS on 2 CPUs: makespan 180 ms, average waiting 56 ms/],
  'sched/process_states.ts': [/I\/O wait +2/, /blocked \(阻塞\) -> ready \(就绪\)/],
  'pool/pool_hello.ts': [/^Hello 0$/m, /^Hello 3$/m, /get\(\): \w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2}/],
  'pool/pool_vs_processes.ts': [/16 tasks, one Process each: \d+ ms, 16 processes/, /16 tasks, Pool\(\d+\): +\d+ ms/],
  'pool/apply_async_callback.ts': [/^end$/m, /主进程pid: (\d+)\n[\s\S]*-->exec done: 109 \1$/m],
  'pool/apply_serial.ts': [/apply returned 109/, /get\(\) returned 100 101 102 103 104 105 106 107 108 109/],
  'pool/async_result.ts': [/get\(50\) threw TimeoutError: true/, /^get\(\): 49$/m, /worker: true division by zero/],
  'pool/pool_terminate.ts': [/throws ProcessError: true/, /task 4: rejected ProcessError/],
  'pool/pool_map.ts': [/imap: +1 4 9 16 25 36 49 64/, /onProgress: 1000\/1000/, /chunksize 100: 999000/],
  'pool/starmap_args.ts': [/starmap returned \[ 6, 15, 24 \]/, /\[ 1, 8, 27 \]/, /SerializationError: true/],
  'pool/pool_queue.ts': [/吃了 alex的包子3/, /消费者一共吃了 6 个包子/],
  'pool/process_pool_executor.ts': [/回调: 任务6 -> 36/, /shutdown done; results: 1 4 9 16 25 36/],
  'pool/future_states.ts': [/a\.cancel\(\): false/, /b\.cancel\(\): true/, /c\.exception\(\): Error 任务出错了/],
  'pool/executor_map.ts': [/in input order: 1 4 9 16 25/, /FIRST_COMPLETED\): \d done/, /TimeoutError: true/],
  'pool/thread_pool_executor.ts': [/main: pid (\d+)[\s\S]*任务6 ran in pid \1,/, /calls in the main thread: 0/],
  'pool/cpu_vs_io.ts': [/ms {2}Pool\(\d+\)/, /ms {2}ThreadPool\(10\)/],
  'pool/hash_many.ts': [/speed-up: +\d+\.\d+x/, /same keys both ways: true/],
};

for (const [example, patterns] of Object.entries(expectations)) {
  test(`examples: ${example}`, () => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const result = spawnSync(
      process.execPath,
      [...process.execArgv.filter((arg) => !arg.startsWith('--test')), `examples/${example}`],
      { cwd: root, encoding: 'utf8', env, timeout: 30_000 },
    );
    assert.equal(result.status, 0, `exit ${result.status} ${result.signal ?? ''}\n${result.stderr}`);
    for (const pattern of patterns) assert.match(result.stdout, pattern);
    if (example === 'shared/lock_tickets.ts') {
      assert.equal(result.stdout.match(/购票成功/g)?.length, 2, 'exactly two of five buyers get the two tickets');
    }
  });
}
