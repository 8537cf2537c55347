import assert from 'node:assert/strict';
import { test } from 'node:test';
import { putUint32 } from '../../src/util/bytes.ts';

test('putUint32 writes the bytes Buffer writes, for uint32 and int32 values alike', () => {
  const values = [0, 1, 255, 256, 0x1234_5678, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, -1, -2, -0x8000_0000];
  for (const value of values) {
    const ours = Buffer.alloc(7, 0xaa);
    const theirs = Buffer.alloc(7, 0xaa);
    putUint32(ours, 2, value);
    if (value < 0) theirs.writeInt32LE(value, 2);
    else theirs.writeUInt32LE(value, 2);
    assert.deepEqual(ours, theirs, `value ${value}`);
  }
});
