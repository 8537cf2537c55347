// The seed's process states (进程的状态: 新建, 就绪, 运行, 阻塞, 终止) and their transitions,
// taken from a real simulation: two jobs that stop for I/O (阻塞态) and a CPU-bound one,
// scheduled round robin with a time slice of 2.
import { gantt, type Job, simulate, stateDiagram } from 'multiprocessing/sched';

const jobs: Job[] = [
  { id: 'editor', arrival: 0, burst: 4, io: [{ after: 1, duration: 3 }] }, // waits for the keyboard
  { id: 'compile', arrival: 0, burst: 8 },
  { id: 'download', arrival: 1, burst: 3, io: [{ after: 2, duration: 4 }] }, // waits for the network
];

const schedule = simulate(jobs, { kind: 'rr', quantum: 2 });
console.log(gantt(schedule));
console.log(stateDiagram(schedule));
const names: Record<string, string> = {
  new: '新建',
  ready: '就绪',
  running: '运行',
  blocked: '阻塞',
  terminated: '终止',
};
for (const t of schedule.transitions.filter((change) => change.job === 'editor')) {
  console.log(`${String(t.time).padStart(3)}  editor  ${t.from} (${names[t.from]}) -> ${t.to} (${names[t.to]})`);
}
