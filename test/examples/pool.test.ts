// Every example in examples/pool/ runs, exits 0 and prints what its seed example shows.
import { checkExamples } from './check.ts';

checkExamples({
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
});
