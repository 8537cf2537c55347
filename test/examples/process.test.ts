// Every example in examples/process/ runs, exits 0 and prints what its seed example shows.
import { checkExamples } from './check.ts';

checkExamples({
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
  'process/daemon_basic.ts': [/end ... {3}func1/, /^\*+$/m, /主進程執行結束/], // (how many lines the daemon prints depends on the load)
  'process/daemon_alive.ts': [/i am ok~/, /扛不住瞭/, /主進程執行結束/],
  'process/orphan.ts': [/exits now/, /now it is \d+ \(adopted\)/],
  'process/zombie.ts': [/gone \(reaped\)/, /active children after join: 0/],
  'process/thread_start_method.ts': [/worker 3: Process-3 runs in pid \d+ as thread/],
});
