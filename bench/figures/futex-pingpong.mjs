// Cross-process futex round trip through our addon: two processes hand a shared word
// back and forth, sleeping in the kernel (sync) or in the async waiter (async).
// Usage: node bench/figures/futex-pingpong.mjs [rounds]   (the child role is internal)
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require('../../build/Release/multiprocessing.node');
const [, , roleOrRounds, name] = process.argv;

function syncLoop(words, buffer, me, other, rounds) {
  for (let i = 0; i < rounds; i++) {
    let v;
    while ((v = Atomics.load(words, 0)) !== me) addon.wait(buffer, 0, v, -1);
    Atomics.store(words, 0, other);
    addon.wake(buffer, 0, 1);
  }
}

if (roleOrRounds === 'child') {
  const buffer = addon.open(`/${name}`, 0, false);
  const words = new Int32Array(buffer);
  const rounds = Atomics.load(words, 1);
  syncLoop(words, buffer, 1, 2, rounds);
} else {
  const rounds = Number(roleOrRounds ?? 20000);
  const metrics = {};
  for (const mode of ['sync']) {
    const name = `mp-bench-${process.pid}-${mode}`;
    const buffer = addon.open(`/${name}`, 4096, true);
    const words = new Int32Array(buffer);
    Atomics.store(words, 1, rounds + 1000);
    const child = fork(new URL(import.meta.url).pathname, ['child', name, mode]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    Atomics.store(words, 0, 1);
    addon.wake(buffer, 0, 1);
    let start = 0;
    for (let i = 0; i < rounds + 1000; i++) {
      if (i === 1000) start = performance.now();
      let v;
      while ((v = Atomics.load(words, 0)) !== 2) addon.wait(buffer, 0, v, -1);
      if (i === rounds + 999) break;
      Atomics.store(words, 0, 1);
      addon.wake(buffer, 0, 1);
    }
    metrics[`${mode}_us_per_roundtrip`] = ((performance.now() - start) * 1000) / rounds;
    addon.unlink(`/${name}`);
    await exited;
  }
  console.log(JSON.stringify({ fig: 'futex', metrics, params: { rounds } }));
}
