import * as mp from 'multiprocessing';
console.log('esm root', typeof mp.cpuCount, typeof mp.Queue, typeof mp.Pool, mp.cpuCount());
for (const sub of ['futures','connection','managers','shared-memory','sched']) {
  try { const m = await import('multiprocessing/' + sub); console.log('esm', sub, Object.keys(m).sort().join(',')); }
  catch (e) { console.log('esm', sub, 'FAIL', e.code, e.message.split('\n')[0]); }
}
const mpd = (await import('multiprocessing')).default; console.log('default export', typeof mpd);
