const mp = require('multiprocessing');
console.log('cjs root', typeof mp.cpuCount, typeof mp.Queue, typeof mp.Pool, typeof mp.Process, mp.cpuCount && mp.cpuCount());
for (const sub of ['futures','connection','managers','shared-memory','sched']) {
  try { const m = require('multiprocessing/' + sub); console.log('cjs', sub, Object.keys(m).sort().join(',')); }
  catch (e) { console.log('cjs', sub, 'FAIL', e.code, e.message.split('\n')[0]); }
}
