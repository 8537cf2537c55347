import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RING_RESULT, ResultRings, ResultWriter, ringBytes } from '../../src/pool/results.ts';
import type { RecordReceiver } from '../../src/queues/channel.ts';
import { serialize } from '../../src/serialize/codec.ts';

/** Drains the rings: each record as [tag, its bytes] (copied: the span is valid during the call only). */
function drain(rings: ResultRings): Array<[number, number[]]> {
  const got: Array<[number, number[]]> = [];
  const receiver: RecordReceiver = {
    record: (span, start, end, tag) => got.push([tag, [...span.subarray(start, end)]]),
    message: () => assert.fail('the rings hand over records only'),
  };
  assert.equal(rings.drain(receiver), got.length);
  return got;
}

const bytes = (length: number, seed: number) => Array.from({ length }, (_, i) => (seed + i) & 0xff);

test('result rings: records of every size come out in order, with their tags, across many wraps', () => {
  const rings = new ResultRings(2);
  try {
    const writers = [new ResultWriter(rings.name, 0), new ResultWriter(rings.name, 1)];
    let seed = 0;
    // ~10 passes over each ring, with sizes that leave odd gaps at its end.
    for (let round = 0; round < 400; round++) {
      const expected: Array<[number, number[]]> = [];
      for (const [slot, writer] of writers.entries()) {
        for (let i = 0; i < 10; i++) {
          const data = bytes((seed * 37) % 1300, seed);
          const tag = slot === 0 ? seed : -seed;
          assert.equal(writer.tryWrite(tag, new Uint8Array(data)), true);
          expected.push([tag, data]);
          seed++;
        }
      }
      assert.deepEqual(drain(rings), expected);
    }
    assert.deepEqual(drain(rings), []);
  } finally {
    rings.unlink();
  }
});

test('result rings: a full ring and a large result refuse the write (the caller uses the queue); a replacement writer goes on', () => {
  const rings = new ResultRings(1);
  try {
    const writer = new ResultWriter(rings.name, 0);
    assert.equal(writer.tryWrite(1, new Uint8Array(MAX_RING_RESULT + 1)), false, 'too large');
    assert.equal(writer.tryWrite(1, new Uint8Array(MAX_RING_RESULT)), true);
    let written = 1;
    while (writer.tryWrite(written + 1, new Uint8Array(1000).fill(written & 0xff))) written++;
    const fit = (ringBytes(1) - MAX_RING_RESULT - 8) / 1008; // (records of 1000 bytes take 1008)
    assert.ok(
      written > fit - 1 && written < fit + 2,
      `the ring holds ~${Math.round(fit)} such records, took ${written}`,
    );
    const first = drain(rings);
    assert.equal(first.length, written);
    assert.deepEqual(
      first.map(([tag]) => tag),
      Array.from({ length: written }, (_, i) => i + 1),
    );
    // A worker that replaces a dead one writes into the same ring, after what is there.
    const before = new ResultWriter(rings.name, 0);
    assert.equal(before.tryWrite(100, new Uint8Array([1, 2, 3])), true);
    const replacement = new ResultWriter(rings.name, 0);
    assert.equal(replacement.tryWrite(101, new Uint8Array([4])), true);
    assert.deepEqual(drain(rings), [
      [100, [1, 2, 3]],
      [101, [4]],
    ]);
  } finally {
    rings.unlink();
  }
});

test('result rings: a number result written in place is the message serialize() gives, across wraps; a full ring refuses it', () => {
  const rings = new ResultRings(1);
  try {
    const writer = new ResultWriter(rings.name, 0);
    const values = [0, -0, 1.5, -7, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, 1e-310];
    // Mixed with records of other sizes, over several passes of the ring.
    for (let round = 0; round < 200; round++) {
      const expected: Array<[number, number[]]> = [];
      for (let i = 0; i < 40; i++) {
        const value = values[(round + i) % values.length]!;
        const tag = 1 + round * 100 + i;
        assert.equal(writer.tryWriteNumber(tag, value), true);
        expected.push([tag, [...serialize(value)]]);
        const data = bytes((round * 13 + i) % 700, i);
        assert.equal(writer.tryWrite(-tag, new Uint8Array(data)), true);
        expected.push([-tag, data]);
      }
      assert.deepEqual(drain(rings), expected);
    }
    let written = 0;
    while (writer.tryWriteNumber(written + 1, written)) written++;
    // (a number takes 24 bytes of ring: header, message, padding; the end of the ring may be
    // skipped once)
    const fit = Math.floor(ringBytes(1) / 24);
    assert.ok(written === fit || written === fit - 1, `the ring holds ~${fit} numbers, took ${written}`);
    assert.equal(drain(rings).length, written);
  } finally {
    rings.unlink();
  }
});

test('result rings: 256 KiB each, less with many workers (at most 4 MiB in all), never under 64 KiB', () => {
  assert.equal(ringBytes(1), 256 * 1024);
  assert.equal(ringBytes(16), 256 * 1024);
  assert.equal(ringBytes(17), 128 * 1024);
  assert.equal(ringBytes(64), 64 * 1024);
  assert.equal(ringBytes(1000), 64 * 1024);
  // A pool of many workers: its rings work at their smaller size too.
  const rings = new ResultRings(40);
  try {
    const writer = new ResultWriter(rings.name, 39);
    let written = 0;
    while (writer.tryWrite(written, new Uint8Array(1000))) written++;
    assert.equal(written, Math.floor((64 * 1024) / 1008), 'a 64 KiB ring, records of 1000 bytes taking 1008');
    const got: number[] = [];
    rings.drain({ record: (_span, _start, _end, tag) => got.push(tag), message: () => assert.fail('records only') });
    assert.deepEqual(
      got,
      Array.from({ length: written }, (_, i) => i),
    );
  } finally {
    rings.unlink();
  }
});
