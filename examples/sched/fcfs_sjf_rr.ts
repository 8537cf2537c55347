// First come first served (先来先服务), shortest job first (短作业优先) and round robin
// (时间片轮转) on the same jobs: the textbook's P1 = 24, P2 = 3, P3 = 3 (Silberschatz,
// "Operating System Concepts", 5.3). A long job first makes everyone wait (the convoy
// effect); SJF minimises the average waiting time; RR gives everyone a quick first response.
import { gantt, type Job, type Policy, simulate } from 'multiprocessing/sched';

const jobs: Job[] = [
  { id: 'P1', arrival: 0, burst: 24 },
  { id: 'P2', arrival: 0, burst: 3 },
  { id: 'P3', arrival: 0, burst: 3 },
];
const policies: [string, Policy][] = [
  ['fcfs', { kind: 'fcfs' }],
  ['sjf', { kind: 'sjf' }],
  ['rr:4', { kind: 'rr', quantum: 4 }],
];

const rows: string[] = [];
for (const [label, policy] of policies) {
  const schedule = simulate(jobs, policy);
  console.log(`== ${label} ==\n${gantt(schedule)}`);
  const { waiting, turnaround, response } = schedule.averages;
  rows.push(
    `${label.padEnd(6)} ${waiting.toFixed(2).padStart(11)} ${turnaround.toFixed(2).padStart(14)} ${response.toFixed(2).padStart(12)}`,
  );
}
console.log(`policy ${'avg waiting'.padStart(11)} ${'avg turnaround'.padStart(14)} ${'avg response'.padStart(12)}`);
console.log(rows.join('\n'));

// The same three jobs on two CPUs, with a context switch costing 1 time unit.
const twoCpus = simulate(jobs, { kind: 'rr', quantum: 4 }, { cpus: 2, contextSwitch: 1 });
console.log(`\n== rr:4 on 2 CPUs, context switch 1 ==\n${gantt(twoCpus)}`);
console.log(`utilization ${(twoCpus.utilization * 100).toFixed(1)}%, ${twoCpus.contextSwitches} context switch(es)`);
