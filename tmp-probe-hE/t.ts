import { simulate, gantt, type Job } from 'multiprocessing/sched';
import { cpuCount, Queue } from 'multiprocessing';
const jobs: Job[] = [{ id: 'A', arrival: 0, burst: 2 }, { id: 'B', arrival: 1, burst: 1 }];
const s = simulate(jobs, { kind: 'rr', quantum: 1 });
console.log('ts ok', s.makespan, cpuCount(), typeof Queue);
console.log(gantt(s).split('\n')[2]);
