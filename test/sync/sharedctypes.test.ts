import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  Lock,
  Process,
  ProcessError,
  RawArray,
  RawValue,
  RLock,
  Array as SharedArray,
  type SharedValue,
  Value,
} from 'multiprocessing';
import { type ShareableItem, ShareableList, SharedMemory } from 'multiprocessing/shared-memory';
import * as workers from '../fixtures/sync/workers.ts';
import { childPids, startMethods } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

test('value: every typecode holds its kind of value', () => {
  assert.equal(Value('i', 5000).value, 5000);
  assert.equal(Value('b', -5).value, -5);
  assert.equal(Value('B', 255).value, 255);
  assert.equal(Value('H', 65535).value, 65535);
  assert.equal(Value('I', 4_000_000_000).value, 4_000_000_000);
  assert.equal(Value('q', 2n ** 62n).value, 2n ** 62n);
  assert.equal(Value('l', -3).value, -3n);
  assert.equal(Value('Q', 5n).value, 5n);
  assert.equal(Value('f', 1.5).value, 1.5);
  assert.equal(Value('d', Math.PI).value, Math.PI);
  assert.equal(Value('c', 'a').value, 'a');
  assert.equal(Value('?', true).value, true);
  assert.equal(Value('i').value, 0);
  const v = Value('d', 1);
  v.value = 2.5;
  assert.equal(v.value, 2.5);
});

test('value: lock options, getLock and getObj; raw values have neither', () => {
  const v = Value('i', 1) as SharedValue<number>;
  assert.ok(v.getLock() instanceof RLock);
  assert.equal(v.getObj(), v);
  const lock = new Lock();
  assert.equal((Value('i', 1, { lock }) as SharedValue).getLock(), lock);
  const raw = RawValue('i', 3);
  assert.equal(raw.value, 3);
  assert.equal('getLock' in raw, false);
  assert.equal('getLock' in Value('i', 1, { lock: false }), false);
});

test('value: bad typecodes and initialisers are TypeError/RangeError naming the problem', () => {
  assert.throws(() => Value('x' as never, 1), /unknown typecode "x"/);
  assert.throws(() => Value('i', 'five' as never), TypeError);
  assert.throws(() => Value('i', 1.5), /must be an integer/);
  assert.throws(() => Value('b', 300), RangeError);
  assert.throws(() => Value('c', 'ab'), TypeError);
  assert.throws(() => Value('?', 'yes' as never), TypeError);
  assert.throws(() => Value('i', 1, { lock: 'yes' as never }), TypeError);
  // Python habits: a positional lock flag, a misspelt option.
  assert.throws(() => Value('i', 1, false as never), /takes an options object such as \{ lock: false \}/);
  assert.throws(() => Value('i', 1, { locked: false } as never), /has no option 'locked'/);
  // A 'c' value is a byte, read as the character of that code: it must also go back in.
  // Only 'c' arrays have a text .value (another array's used to read its bytes as text).
  assert.throws(() => SharedArray('i', [65, 66]).value, /only 'c' arrays have a \.value/);
  const c = Value('c', 200);
  assert.equal(c.value, 'È');
  const read = c.value;
  c.value = 'é';
  assert.equal(c.value, 'é');
  c.value = read;
  assert.equal(c.value, 'È', 'what it gave goes back in');
  c.value = 'é';
  assert.equal(c.value, 'é');
  assert.throws(() => {
    c.value = '€';
  }, /one character from/);
  const v = Value('i', 1);
  assert.throws(() => {
    v.value = 'x';
  }, TypeError);
});

test('array: a typed array of the element type over shared memory', () => {
  const a = SharedArray('i', [1, 2, 3]);
  assert.ok(a instanceof Int32Array);
  assert.ok(a.buffer instanceof SharedArrayBuffer);
  assert.equal(a.length, 3);
  a[0] = 5;
  assert.deepEqual([...a], [5, 2, 3]);
  assert.equal(Atomics.add(a as unknown as Int32Array, 1, 10), 2);
  assert.ok(SharedArray('d', 4) instanceof Float64Array);
  assert.ok(SharedArray('q', [1n]) instanceof BigInt64Array);
  assert.ok(SharedArray('l', 2) instanceof BigInt64Array);
  assert.ok(a.getLock() instanceof RLock);
  const mapped = (a as unknown as Int32Array).map((x) => x * 2);
  assert.equal(mapped.constructor, Int32Array, 'derived arrays are plain');
  const raw = RawArray('h', 2);
  assert.ok(raw instanceof Int16Array);
  assert.equal('getLock' in raw, false);
});

test("array: 'c' arrays have a value of the bytes up to the first NUL", () => {
  const c = SharedArray('c', 'hello');
  assert.ok(c instanceof Uint8Array);
  assert.equal(c.length, 5);
  assert.equal(c.value, 'hello');
  c.value = 'hi';
  assert.equal(c.value, 'hi');
  c.value = new Uint8Array([72, 105, 33]);
  assert.equal(c.value, 'Hi!');
  assert.throws(() => {
    c.value = 'too long!';
  }, RangeError);
});

test('array: bad sizes and initialisers', () => {
  assert.throws(() => SharedArray('i', -1), RangeError);
  assert.throws(() => SharedArray('i', 1.5), RangeError);
  assert.throws(() => SharedArray('i', 'abc'), TypeError);
  assert.throws(() => SharedArray('i', [1, 'x'] as never), /initial value \[1\]/);
  assert.throws(() => SharedArray('B', [256]), RangeError);
  assert.throws(() => SharedArray('z' as never, 3), TypeError);
});

for (const context of startMethods) {
  describe(`shared ctypes across processes (${context})`, () => {
    test("a child changes Array('c', 'hello') to 'Hello'", async () => {
      const c = SharedArray('c', 'hello');
      const p = new Process({ target: workers.writeChars, args: [c], context });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 0);
      assert.equal(c.value, 'Hello');
    });

    test('shared memory and lists attach in a child by handle', async () => {
      const list = new ShareableList<ShareableItem>([1, 'two', 3n, true, null, new Uint8Array([4])]);
      const p = new Process({
        target: (l: ShareableList) => {
          l.set(0, (l.get(0) as number) + 41);
          l.set(1, 'TWO');
        },
        args: [list],
        context,
      });
      p.start();
      await p.join();
      assert.equal(p.exitcode, 0);
      assert.equal(list.get(0), 42);
      assert.equal(list.get(1), 'TWO');
      list.shm.unlink();
    });
  });
}

test('shared memory: create, attach by name, close, unlink, errors', () => {
  // Larger than a view can be: a clear RangeError before any file exists (one was left behind).
  const mine = () => readdirSync('/dev/shm').filter((name) => name.includes(`-${process.pid}-`));
  const before = mine();
  assert.throws(
    () => new SharedMemory({ create: true, size: 2 ** 33 }),
    /more than \d+ bytes, the largest a Uint8Array/,
  );
  assert.deepEqual(mine(), before);
  const shm = new SharedMemory({ create: true, size: 100 });
  try {
    assert.equal(shm.size, 100);
    assert.ok(shm.buf.buffer instanceof SharedArrayBuffer);
    shm.buf[0] = 7;
    const other = new SharedMemory({ name: shm.name });
    assert.equal(other.buf[0], 7);
    other.close();
    assert.throws(() => other.buf, ProcessError);
    assert.throws(() => new SharedMemory({ name: shm.name, create: true, size: 10 }), /already exists/);
  } finally {
    shm.unlink();
  }
  assert.equal(existsSync(`/dev/shm/${shm.name}`), false);
  assert.throws(() => new SharedMemory({ name: shm.name }), /no shared memory segment named/);
  assert.throws(() => new SharedMemory({ create: true }), RangeError);
  assert.throws(() => new SharedMemory({ create: true, size: -1 }), RangeError);
  assert.throws(() => new SharedMemory(), TypeError);
});

test('shareable list: items, set, count, index, format, fixed slots', () => {
  const list = new ShareableList<ShareableItem>(['howdy', 42, -3.5, 7n, true, null, new Uint8Array([1, 2])]);
  try {
    assert.equal(list.length, 7);
    assert.equal(list.get(0), 'howdy');
    assert.equal(list.get(-1)!.toString(), '1,2');
    assert.equal(list.format, '8sddq?x8b');
    list.set(1, 43);
    assert.equal(list.get(1), 43);
    assert.equal(list.count(43), 1);
    assert.equal(list.index(true), 4);
    assert.throws(() => list.index('absent'), RangeError);
    assert.throws(() => list.set(0, 'a string longer than its slot'), RangeError);
    assert.throws(() => list.get(7), RangeError);
    const attached = new ShareableList(null, { name: list.shm.name });
    assert.equal(attached.get(0), 'howdy');
    assert.throws(() => new ShareableList([{} as never]), TypeError);
    // Python's ShareableList(None, name) is ShareableList(null, { name }) here: a bare name is
    // refused, not taken for a new list.
    assert.throws(() => new ShareableList(null, list.shm.name as never), /takes an options object/);
  } finally {
    list.shm.unlink();
  }
});
