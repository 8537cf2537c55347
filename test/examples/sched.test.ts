// Every example in examples/sched/ runs, exits 0 and prints what its seed example shows.
import { checkExamples } from './check.ts';

checkExamples({
  'sched/mlfq_seed.ts': [/J4 在第4级队列完成/, /J3 在第3级队列完成/],
  'sched/fcfs_sjf_rr.ts': [/sjf +3\.00/],
  'sched/pool_replay.ts': [
    /CPU 1 /,
    /measured: makespan \d+ ms/,
    /simulated FCFS on 2 CPUs: makespan 180 ms, average waiting 56 ms/,
  ],
  'sched/process_states.ts': [/I\/O wait +2/, /blocked \(阻塞\) -> ready \(就绪\)/],
});
