// Every example in examples/shared/ runs, exits 0 and prints what its seed example shows.
import { checkExamples } from './check.ts';

checkExamples({
  'shared/value_money.ts': [/一月余额: -?\d+/],
  'shared/lost_updates.ts': [/with the lock: {2}2005000 — 0 lost/],
  'shared/array_hello.ts': [/^104$/m, /^Hello$/m],
  'shared/semaphore_three.ts': [/执行任务\.\.\.\.\.执行完成/, /person 6 runs/, /semaphore value at the end: 3/],
  'shared/lock_tickets.ts': [/余票: 0/],
  'shared/event_traffic_light.ts': [/car 4 drives through/, /绿灯亮了/],
  'shared/rlock_deadlock.ts': [/Lock: second acquire would deadlock/, /RLock: second acquire succeeded/],
});
