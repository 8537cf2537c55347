import mp = require('multiprocessing');
import sched = require('multiprocessing/sched');
const n: number = mp.cpuCount();
const s = sched.simulate([{ id: 'A', arrival: 0, burst: 1 }], { kind: 'fcfs' });
console.log(n, s.makespan);
