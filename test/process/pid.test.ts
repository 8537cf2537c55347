// pidAlive: whether another process runs, as the recovery of what a dead process held asks it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { pidAlive, pidExited } from '../../src/util/pid.ts';

test('pidAlive: a running process is alive; one that exited is not once its exit is known; a zombie is dead', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  try {
    assert.equal(pidAlive(pid), true);
    assert.equal(pidAlive(pid), true, 'believed without a new look');
  } finally {
    child.kill('SIGKILL');
  }
  await once(child, 'exit');
  pidExited(pid);
  assert.equal(pidAlive(pid), false, 'its exit is known at once');
  // A zombie (killed, not reaped: this thread is busy) counts as dead.
  const zombie = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(zombie, 'spawn');
  zombie.kill('SIGKILL');
  const until = Date.now() + 10_000;
  let dead = false;
  while (!dead && Date.now() < until) dead = !pidAlive(zombie.pid!); // (no event loop turn: no reaping)
  assert.equal(dead, true, 'a zombie is seen dead within the time a look is believed');
  await once(zombie, 'exit');
});
