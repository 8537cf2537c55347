// multiprocessing/sched: a CPU scheduling simulator (FCFS, SJF, SRTF, priority, round robin,
// MLFQ) with Gantt charts. Pure computation: no processes are involved.
export { gantt } from './sched/gantt.js';
export { simulate } from './sched/simulate.js';
export { stateDiagram } from './sched/state-diagram.js';
export type {
  GanttOptions,
  IoBurst,
  Job,
  JobStats,
  Policy,
  PolicyKind,
  Schedule,
  SimulateOptions,
  Slice,
  State,
  Transition,
} from './sched/types.js';
