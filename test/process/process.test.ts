import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  activeChildren,
  currentProcess,
  getContext,
  isMainProcess,
  Process,
  ProcessError,
  parentProcess,
  SerializationError,
} from 'multiprocessing';
import { setSlot } from '../fixtures/process/board.ts';
import * as targets from '../fixtures/process/targets.ts';
import { type Board, childPids, createBoard, startMethods } from '../helpers.ts';

let dir: string;
let board: Board;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mp-process-'));
  board = createBoard(64);
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  board.close();
  assert.deepEqual(childPids(), [], 'no child process may be left running');
});

let slot = 0;
const nextSlot = () => slot++;

test('process: the main program is MainProcess with no parent', () => {
  const me = currentProcess();
  assert.equal(me.name, 'MainProcess');
  assert.equal(me.pid, process.pid);
  assert.equal(me.isAlive(), true);
  assert.equal(parentProcess(), null);
  assert.equal(isMainProcess(), true);
  assert.equal(me.authkey.length, 32);
});

for (const context of startMethods) {
  describe(`process (${context})`, () => {
    test('runs its target with args and exits 0', async () => {
      const s = nextSlot();
      const p = new Process({ target: targets.setSlotTarget, args: [board.name, s, 42], context });
      assert.equal(p.exitcode, null);
      assert.equal(p.isAlive(), false);
      p.start();
      assert.equal(typeof p.pid, 'number');
      await p.join();
      assert.equal(p.exitcode, 0);
      assert.equal(board.get(s), 42);
      assert.equal(p.isAlive(), false);
      if (context === 'spawn') assert.notEqual(p.pid, process.pid);
      else assert.equal(p.pid, process.pid);
      p.close();
    });

    test('awaits an async target', async () => {
      const s = nextSlot();
      const p = new Process({ target: targets.asyncSetSlot, args: [board.name, s, 7], context });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 0);
      assert.equal(board.get(s), 7);
    });

    test('runs a self-contained arrow function by source', async () => {
      const file = join(dir, `arrow-${context}.txt`);
      const p = new Process({
        target: async (path: string, text: string) => {
          const fs = await import('node:fs');
          fs.writeFileSync(path, text.toUpperCase());
        },
        args: [file, 'hello'],
        context,
      });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 0);
      assert.equal(readFileSync(file, 'utf8'), 'HELLO');
    });

    test('exit code n after process.exit(n)', async () => {
      const p = new Process({ target: targets.exitWith, args: [3], context });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 3);
    });

    test('exit code 1 when the target throws or rejects', async () => {
      const a = new Process({ target: targets.throwsError, args: ['expected failure (test)'], context });
      const b = new Process({ target: targets.rejects, args: ['expected rejection (test)'], context });
      a.start();
      b.start();
      await Promise.all([a.join(), b.join()]);
      assert.equal(a.exitcode, 1);
      assert.equal(b.exitcode, 1);
    });

    test('the child exits when its target returns, even with a timer left open', async () => {
      const s = nextSlot();
      const p = new Process({ target: targets.leavesTimerOpen, args: [board.name, s], context });
      p.start();
      await p.join(20_000);
      assert.equal(p.exitcode, 0);
    });

    test('terminate() gives -15 and kill() gives -9', async () => {
      const s1 = nextSlot();
      const s2 = nextSlot();
      const a = new Process({ target: targets.runForever, args: [board.name, s1], context });
      const b = new Process({ target: targets.runForever, args: [board.name, s2], context });
      a.start();
      b.start();
      await board.waitFor(s1, 1);
      await board.waitFor(s2, 1);
      assert.equal(a.isAlive(), true);
      a.terminate();
      b.kill();
      await Promise.all([a.join(), b.join()]);
      assert.equal(a.exitcode, -15);
      assert.equal(b.exitcode, -9);
    });

    test('process.exitCode set by the target is the exit code (it was overwritten with 0)', async () => {
      const p = new Process({ target: targets.setExitCode, args: [3], context });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 3);
    });

    test('currentProcess().terminate() / kill() in the child end the child alone (a thread used to kill the program)', async () => {
      for (const [how, code] of [
        ['terminate', -15],
        ['kill', -9],
      ] as const) {
        const p = new Process({ target: targets.endSelf, args: [how], context });
        p.start();
        await p.join();
        assert.equal(p.exitcode, code);
      }
    });

    test('join(timeout) resolves after the timeout while the child runs', async () => {
      const s = nextSlot();
      const p = new Process({ target: targets.runForever, args: [board.name, s], context });
      p.start();
      await board.waitFor(s, 1);
      await p.join(50);
      assert.equal(p.exitcode, null);
      assert.equal(p.isAlive(), true);
      assert.ok(activeChildren().includes(p));
      let settled = false;
      void p.sentinel.then(() => {
        settled = true;
      });
      p.kill();
      await p.sentinel;
      assert.equal(settled, true);
      await p.join();
      assert.ok(!activeChildren().includes(p));
    });

    test('names children Process-N and grandchildren Process-N:M; passes identity down', async () => {
      const file = join(dir, `identity-${context}.json`);
      const p = new Process({ target: targets.reportIdentity, args: [file], context });
      const match = /^Process-(\d+)$/.exec(p.name);
      assert.ok(match, p.name);
      p.start();
      await p.join();
      const seen = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(seen.name, p.name);
      assert.equal(seen.pid, p.pid);
      assert.equal(seen.isMain, false);
      assert.equal(seen.daemon, false);
      assert.equal(seen.authkey, Buffer.from(currentProcess().authkey).toString('hex'));
      assert.deepEqual(seen.parent, { name: 'MainProcess', pid: process.pid, alive: true });
      if (context === 'spawn') assert.equal(seen.ppid, process.pid);

      const grandFile = join(dir, `grand-${context}.json`);
      const q = new Process({ target: targets.startGrandchild, args: [grandFile, context], context });
      q.start();
      await q.join();
      assert.equal(q.exitcode, 0);
      const grand = JSON.parse(readFileSync(grandFile, 'utf8'));
      assert.equal(grand.name, `${q.name}:1`);
      assert.equal(grand.parent.name, q.name);
    });

    test('a custom name and the daemon flag are passed to the child', async () => {
      const file = join(dir, `named-${context}.json`);
      const p = new Process({ target: targets.reportIdentity, args: [file], name: 'worker-a', daemon: true, context });
      p.start();
      await p.join();
      const seen = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(seen.name, 'worker-a');
      assert.equal(seen.daemon, true);
    });

    test('memory is not shared: a child changing a module variable leaves ours alone', async () => {
      const file = join(dir, `counter-${context}.txt`);
      const p = new Process({ target: targets.incrementCounter, args: [file], context });
      p.start();
      await p.join();
      assert.equal(readFileSync(file, 'utf8'), '1');
      assert.equal(targets.counter, 0);
    });

    test('a subclass with its own fields runs its run() in the child', async () => {
      const s = nextSlot();
      const w = new targets.Worker(board.name, s, 5, context);
      w.start();
      await w.join();
      assert.equal(w.exitcode, 0);
      assert.equal(board.get(s), 1005);
    });

    test('a daemonic process may not start children', async () => {
      const file = join(dir, `daemon-child-${context}.txt`);
      const p = new Process({ target: targets.daemonTriesChild, args: [file], daemon: true, context });
      p.start();
      await p.join();
      assert.equal(readFileSync(file, 'utf8'), 'ProcessError: daemonic processes are not allowed to have children');
    });

    test('a child joins its non-daemonic children before it exits', async () => {
      const b = createBoard(4);
      try {
        const p = new Process({ target: targets.startsChildAndReturns, args: [b.name, context], context });
        p.start();
        await b.waitFor(2, 1); // the child's target has returned
        await b.waitFor(1, 1); // the grandchild is running
        await p.join(100);
        assert.equal(p.exitcode, null, 'the child must wait for its grandchild');
        setSlot(b.name, 0, 1);
        await p.join(20_000);
        assert.equal(p.exitcode, 0);
        assert.equal(b.get(1), 2);
      } finally {
        b.close();
      }
    });

    test('getContext(method).Process is Process bound to that method', async () => {
      const ctx = getContext(context);
      // A target given positionally is refused as by Process itself (it used to run nothing).
      assert.throws(() => new ctx.Process(targets.setSlotTarget as never), /Process options must be an object/);
      const s = nextSlot();
      const p = new ctx.Process({ target: targets.setSlotTarget, args: [board.name, s, 9] });
      assert.ok(p instanceof Process);
      assert.equal(p.constructor, Process);
      p.start();
      await p.join();
      assert.equal(board.get(s), 9);
      if (context === 'thread') assert.equal(p.pid, process.pid);
      else assert.notEqual(p.pid, process.pid);
    });
  });
}

describe('process: misuse', () => {
  test('a target that is not a function is a TypeError', () => {
    assert.throws(() => new Process({ target: 42 as never }), TypeError);
    assert.throws(() => new Process({ args: 'x' as never }), TypeError);
    assert.throws(() => new Process({ context: 'fork' as never }), TypeError);
    assert.throws(() => new Process({ kwargs: { a: 1 } } as never), /no kwargs option.*pass an object in args/);
  });

  test('a closure is a SerializationError at start(), before anything runs', () => {
    const secret = 'captured';
    const p = new Process({ target: () => console.log(secret) });
    assert.throws(
      () => p.start(),
      (error: unknown) => {
        assert.ok(error instanceof SerializationError);
        assert.match((error as Error).message, /secret/);
        return true;
      },
    );
    assert.equal(p.pid, undefined);
    assert.deepEqual(activeChildren(), []);
  });

  test('start twice, join before start, daemon after start, close while running', async () => {
    const p = new Process({ target: targets.runForever, args: [board.name, nextSlot()] });
    await assert.rejects(p.join(), ProcessError);
    p.start();
    assert.throws(() => p.start(), ProcessError);
    assert.throws(() => {
      p.daemon = true;
    }, ProcessError);
    assert.throws(() => p.close(), ProcessError);
    p.kill();
    await p.join();
    assert.equal(p.exitcode, -9);
    p.close();
    assert.throws(() => p.pid, ProcessError);
  });

  test('a process cannot join itself', async () => {
    await assert.rejects(currentProcess().join(), ProcessError);
  });

  test('negative join timeout is a RangeError', async () => {
    const p = new Process({ target: targets.exitWith, args: [0] });
    p.start();
    await assert.rejects(p.join(-1), RangeError);
    await p.join();
  });
});

test('process: a start message too large for the environment (a 300 KB argument) arrives whole', async () => {
  const text = Array.from({ length: 300_000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i) * (i + 1)) % 1_000_003;
  const at = nextSlot();
  nextSlot();
  const child = new Process({ target: targets.measureText, args: [board.name, at, text], context: 'spawn' });
  child.start();
  await child.join(30_000);
  assert.equal(child.exitcode, 0);
  assert.equal(board.get(at), text.length);
  assert.equal(board.get(at + 1), sum);
});
