// The compact encoding of small JSON-like values must give back exactly what V8's structured
// clone gives back, for every value; values it cannot carry exactly go to V8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plainNumberLength, writePlainNumber } from '../../src/serialize/codec.ts';
import {
  deserialize,
  deserializeNumbers,
  deserializeOneNumber,
  deserializeSync,
  isPlain,
  serialize,
} from '../../src/serialize/index.ts';

const shared = { a: 1 };
let deep: Record<string, unknown> = {};
const root = deep;
for (let i = 0; i < 40; i++) deep = deep.n = {};

const cases: Array<[string, unknown]> = [
  ['a result message', { id: 1, ok: true, value: 2 }],
  ['numbers of every kind', [1, 2.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -(2 ** 31), 2 ** 53]],
  ['strings', ['', 'x', 'héllo wörld ✓ 🎉', 'a'.repeat(100), 'é'.repeat(300)]],
  ['null, undefined, booleans', [null, undefined, true, false]],
  ['nesting', { nested: { deep: [[[{ a: [] }]]] } }],
  ['a shared reference (stays one object)', [shared, shared]],
  [
    'a shared reference among many objects',
    (() => {
      const many: object[] = Array.from({ length: 100 }, (_, i) => ({ i }));
      many.push(many[50]!);
      return many;
    })(),
  ],
  ['a RegExp match (an array with named properties)', 'key=value'.match(/(?<k>\w+)=(?<v>\w+)/)],
  ['a hole', Object.assign(new Array(3), { 0: 1, 2: 3 })],
  ['lone surrogates', ['\ud800x', { s: '\udfff' }]],
  ['a null prototype', Object.assign(Object.create(null), { a: 1 })],
  ['a __proto__ key', JSON.parse('{"__proto__": {"x": 1}}')],
  ['a Date and a typed array', [new Date(5), new Uint8Array([1, 2])]],
  ['a bigint', { big: 10n }],
  ['a large array', Array.from({ length: 5000 }, (_, i) => i)],
  [
    'numeric arrays (int32 and float64 blocks)',
    {
      ints: Array.from({ length: 100 }, (_, i) => i - 50),
      floats: Array.from({ length: 100 }, (_, i) => i * 0.5),
      edges: [...Array.from({ length: 20 }, (_, i) => i), -0, Number.NaN, 2 ** 31, -(2 ** 31) - 1],
      mixed: [...Array.from({ length: 20 }, (_, i) => i), 'x'],
      holey: Object.assign(new Array(20).fill(1), { 5: undefined }),
      big: Array.from({ length: 200_000 }, (_, i) => i / 3),
    },
  ],
  [
    'a holey numeric array',
    (() => {
      const holey = new Array(20).fill(1);
      delete holey[3];
      return holey;
    })(),
  ],
  ['deep nesting', root],
];

for (const [what, value] of cases) {
  test(`compact: ${what} round-trips as structuredClone would`, async () => {
    const data = serialize(value);
    const expected = structuredClone(value);
    assert.deepStrictEqual(await deserialize(data), expected);
    assert.deepStrictEqual(deserializeSync(data), expected);
    if (what === 'a shared reference (stays one object)') {
      const back = (await deserialize(data)) as unknown[];
      assert.equal(back[0], back[1]);
    }
    if (what === 'a shared reference among many objects') {
      const back = (await deserialize(data)) as unknown[];
      assert.equal(back[100], back[50]);
    }
    if (what.startsWith('a __proto__')) {
      const back = (await deserialize(data)) as object;
      assert.equal(Object.getPrototypeOf(back), Object.prototype);
    }
  });
}

test('compact: numeric blocks decode from a Buffer at any offset (a message inside a larger record)', () => {
  const ints = Array.from({ length: 40 }, (_, i) => i - 20);
  const floats = Array.from({ length: 40 }, (_, i) => i / 7);
  for (const value of [ints, floats, { ints, floats }]) {
    const data = serialize(value);
    for (let offset = 1; offset < 8; offset++) {
      // A Buffer whose slice() does not copy, at an offset that breaks the 8-byte alignment.
      const record = Buffer.alloc(offset + data.length);
      record.set(data, offset);
      assert.deepStrictEqual(deserializeSync(record.subarray(offset)), value, `offset ${offset}`);
    }
  }
});

test('codec: a message read where it lies in a larger array (start, end), without a view of it', () => {
  const values: unknown[] = [
    [1, 2, 3],
    [0.5, -2.25],
    [{ a: 'é', b: [null, true] }, 'text'],
    'a string',
    42,
    new Map([[1, 2]]), // (V8's format)
  ];
  for (const value of values) {
    const data = serialize(value);
    for (const offset of [0, 3, 8]) {
      const around = new Uint8Array(offset + data.length + 5).fill(0xee);
      around.set(data, offset);
      const end = offset + data.length;
      assert.deepStrictEqual(
        deserializeSync(around, offset, end),
        value,
        `${JSON.stringify(String(value))} at ${offset}`,
      );
      assert.equal(isPlain(around, offset), true);
    }
  }
  const block = Array.from({ length: 40 }, (_, i) => i * 3);
  const numbers = serialize(block);
  const around = new Uint8Array(3 + numbers.length);
  around.set(numbers, 3);
  assert.deepEqual(Array.from(deserializeNumbers(around, 3)!), block);
  assert.ok(deserializeNumbers(around, 3) instanceof Float64Array, 'as doubles, int32 blocks too');
  assert.equal(deserializeNumbers(around, 3)!.buffer === around.buffer, false, 'the numbers have memory of their own');
  assert.equal(deserializeNumbers(serialize(['a']), 0), undefined, 'not a block of numbers');
  const withFunction = serialize([() => 1]);
  const shifted = new Uint8Array(2 + withFunction.length);
  shifted.set(withFunction, 2);
  assert.equal(isPlain(shifted, 2), false, 'a function makes a message not plain');
});

test('serialize with room reserved in front: every kind of value, numeric blocks aligned', () => {
  const floats = Array.from({ length: 40 }, (_, i) => i / 7);
  const values: unknown[] = [
    7,
    'short',
    null,
    true,
    [1, 2, 3],
    { a: [floats] },
    floats,
    new Map([[1, 2]]),
    new Uint8Array(3),
  ];
  for (const value of values) {
    for (let reserve = 0; reserve < 20; reserve++) {
      const data = serialize(value, 'value', reserve);
      assert.deepStrictEqual(deserializeSync(data.subarray(reserve)), value, `reserve ${reserve}`);
    }
  }
  // A block of float64s lands 8-aligned in the whole buffer, whatever the reserve: no copy
  // is needed to read it where the whole buffer is 8-aligned (a pool task's record).
  for (let reserve = 0; reserve < 16; reserve++) {
    const data = serialize(floats, 'value', reserve);
    const second = data.indexOf(Buffer.from(new Float64Array([1 / 7]).buffer)); // (the first is 0)
    assert.equal(second % 8, 0, `reserve ${reserve}: the second number is at ${second}`);
  }
});

test('compact: what V8 refuses, compact refuses too (a Proxy)', () => {
  assert.throws(() => serialize(new Proxy({ a: 1 }, {})), /could not be cloned/);
});

test('compact: small plain messages take the compact path, other values V8', () => {
  assert.ok([5, 6].includes(serialize({ id: 1, ok: true, value: [1, 'a'] })[0]!));
  assert.equal(serialize([shared, shared])[0], 0, 'V8: PLAIN');
  assert.equal(serialize(new Date(1))[0], 0);
});

test('compact: one number argument is written as serialize([n]) writes it, and read back; nothing else is taken for one', () => {
  const numbers = [
    0,
    -0,
    1,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    1.5,
    -2.25,
    1e300,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const value of numbers) {
    const expected = serialize([value]);
    assert.equal(plainNumberLength(value), expected.length, `length of [${value}]`);
    const record = Buffer.alloc(expected.length + 7, 0xee);
    writePlainNumber(record, 3, value);
    assert.deepEqual(record.subarray(3, 3 + expected.length), expected, `bytes of [${value}]`);
    assert.equal(record[3 + expected.length], 0xee, 'nothing written past it');
    const read = deserializeOneNumber(record, 3, 3 + expected.length);
    assert.ok(read && read.length === 1 && Object.is(read[0], value), `[${value}] read back as [${read}]`);
    assert.ok(Object.is(deserializeSync<number[]>(record, 3, 3 + expected.length)[0], value));
  }
  // Other messages are not one number: the general decoder takes them.
  for (const other of [[1, 2], ['a'], [[1]], [true], [], 1, 'x', { 0: 1, length: 1 }]) {
    const bytes = serialize(other);
    assert.equal(deserializeOneNumber(bytes, 0, bytes.length), undefined, JSON.stringify(other));
  }
  const short = serialize([7]);
  assert.equal(deserializeOneNumber(short, 0, short.length - 1), undefined, 'a cut message is not one number');
});
