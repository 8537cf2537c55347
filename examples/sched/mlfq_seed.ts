// The seed's multilevel feedback queue (多级反馈队列) example: four jobs, four levels whose time
// slices are 0.4, 0.3, 0.2 and 0.1 s. Job 1 finishes in the first level, job 2 in the second,
// job 3 in the third; the long job (the "download", 下载作业) sinks to the last level. Then a
// short job arrives late: it enters the first level and takes the CPU at once.
import { gantt, type Job, type Schedule, simulate } from 'multiprocessing/sched';

const quanta = [0.4, 0.3, 0.2, 0.1];
const jobs: Job[] = [
  { id: 'J1', arrival: 0, burst: 0.3 },
  { id: 'J2', arrival: 0, burst: 0.6 },
  { id: 'J3', arrival: 0, burst: 0.8 },
  { id: 'J4', arrival: 0, burst: 1.5 }, // the download
];

function finishingLevels(schedule: Schedule): string {
  return schedule.jobs
    .map((job) => {
      const last = schedule.slices.filter((slice) => slice.job === job.id).at(-1)!;
      return `${job.id} 在第${last.level! + 1}级队列完成 (finished at level ${last.level}, time ${job.completion} s)`;
    })
    .join('\n');
}

const schedule = simulate(jobs, { kind: 'mlfq', quanta });
console.log('MLFQ, quanta 0.4/0.3/0.2/0.1 s\n');
console.log(gantt(schedule));
console.log(finishingLevels(schedule));

const late = simulate([...jobs, { id: 'J5', arrival: 2.65, burst: 0.2 }], { kind: 'mlfq', quanta });
console.log('\nA short job J5 arrives at 2.65 s while J4 runs at the lowest level:\n');
console.log(gantt(late));
const preempted = late.transitions.find((t) => t.job === 'J4' && t.time === 2.65);
console.log(`J4 at ${preempted?.time} s: ${preempted?.from} -> ${preempted?.to}; J5 runs at level 0 first`);
