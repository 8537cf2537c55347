const { Pool, isMainProcess } = require('multiprocessing');
function sq(x) { return x * x; }
module.exports = { sq };
if (isMainProcess()) {
  (async () => {
    const pool = new Pool(2);
    console.log('cjs pool:', JSON.stringify(await pool.map(sq, [1, 2, 3])));
    pool.close(); await pool.join();
  })().catch(e => { console.log('cjs pool FAIL', e.constructor.name, e.message); process.exitCode = 1; });
}
