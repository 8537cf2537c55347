import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { test } from 'node:test';
import { SerializationError } from '../../src/errors.ts';
import {
  describeFunction,
  deserialize,
  deserializeSync,
  isPlain,
  kHandle,
  registerHandleType,
  serialize,
  taskRef,
} from '../../src/serialize/index.ts';
import * as common from '../fixtures/serialize/common.cjs';
import negate, * as fixture from '../fixtures/serialize/module.ts';

const roundTrip = async <T>(value: T): Promise<T> => deserialize<T>(serialize(value));

async function viaChild(message: {
  value?: unknown;
  fn?: unknown;
  args?: unknown[];
}): Promise<{ value: unknown; result: unknown }> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = fork(new URL('../fixtures/serialize/echo-child.ts', import.meta.url).pathname, {
    execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
    env,
    serialization: 'advanced',
  });
  const reply = new Promise<Uint8Array>((resolve, reject) => {
    child.once('message', (data) => resolve(data as Uint8Array));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
  });
  child.send(serialize(message));
  const data = await reply;
  await new Promise((resolve) => child.once('exit', resolve));
  return deserialize(Buffer.from(data));
}

test('serialize: scalars round-trip exactly, synchronously and not', async () => {
  const scalars = [
    0,
    -0,
    1,
    -1,
    2.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -(2 ** 53),
    Number.MIN_VALUE,
    'é€😀',
    '',
    true,
    false,
    null,
    undefined,
  ];
  for (const value of scalars) {
    assert.ok(Object.is(deserializeSync(serialize(value)), value), `${String(value)} (sync)`);
    assert.ok(Object.is(await roundTrip(value), value), `${String(value)}`);
  }
  // A scalar as a view into a larger buffer (a batch of results) reads its own bytes only.
  const batch = Buffer.concat([Buffer.from([9, 9]), serialize(-2.75), Buffer.from([9])]);
  assert.equal(deserializeSync(batch.subarray(2, batch.length - 1)), -2.75);
  const text = Buffer.concat([serialize('abc'), Buffer.from('zz')]);
  assert.equal(deserializeSync(text.subarray(0, text.length - 2)), 'abc');
});

test('serialize: plain data takes the plain path and round-trips', async () => {
  const value = {
    n: 1,
    s: 'x',
    list: [1, 2, [3]],
    map: new Map([[1, { a: 2 }]]),
    set: new Set(['a']),
    date: new Date(5),
    big: 10n,
    bytes: new Uint8Array([1, 2]),
    nothing: null,
    undef: undefined,
  };
  const data = serialize(value);
  assert.equal(isPlain(data), true);
  assert.deepEqual(await roundTrip(value), value);
  assert.equal(isPlain(serialize(42)), true);
  assert.equal(await roundTrip('hello'), 'hello');
  assert.equal(deserializeSync(serialize(7)), 7);
});

test('serialize: cycles and shared references survive', async () => {
  const shared = { name: 'shared', fn: fixture.double };
  const value: Record<string, unknown> = { a: shared, b: shared };
  value.self = value;
  const back = await roundTrip(value);
  assert.equal(back.a, back.b);
  assert.equal(back.self, back);
  assert.equal((back.a as typeof shared).fn, fixture.double);
});

test('serialize: exported functions pass by reference (named, renamed, const, default, CommonJS)', async () => {
  for (const [fn, name] of [
    [fixture.double, 'double'],
    [fixture.thrice, 'thrice'],
    [fixture.square, 'square'],
    [negate, 'default'],
    [fixture.leak, 'leak'],
  ] as const) {
    assert.equal(describeFunction(fn).exportName, name, `export name of ${fn.name}`);
    assert.equal(await roundTrip(fn), fn, 'same process: the very same function');
  }
  assert.equal(describeFunction(common.add).exportName, 'add');
  assert.equal(await roundTrip(common.add), common.add);
  const { result } = await viaChild({ fn: fixture.thrice, args: [5] });
  assert.equal(result, 15);
  const cjs = await viaChild({ fn: common.add, args: [2, 3] });
  assert.equal(cjs.result, 5);
});

test('serialize: export names of declared functions, found without parsing the module, and non-exports', async () => {
  const declared = await import('../fixtures/serialize/declared.ts');
  for (const [fn, name] of [
    [declared.plain, 'plain'],
    [declared.later, 'later'],
    [declared.counting, 'counting'],
    [declared.default, 'default'],
    [declared.outer, 'outer'],
  ] as const) {
    assert.equal(describeFunction(fn).exportName, name, `export name of ${fn.name}`);
  }
  // A function declared inside another is no export, whatever the text before it says.
  assert.equal(describeFunction(declared.outer()).exportName, undefined);
  const { result } = await viaChild({ fn: declared.plain, args: [1] });
  assert.equal(result, 2);
});

test('serialize: self-contained functions pass by source, even with tsx helpers inside', async () => {
  const arrow = (x: number) => x + 1;
  const asyncFn = async function named(x: number) {
    const helper = (y: number) => y * 10;
    return helper(x);
  };
  const holder = {
    method(x: number) {
      return Math.max(x, 3);
    },
  };
  assert.equal(describeFunction(arrow).bySource, true);
  const back = await roundTrip({ arrow, asyncFn, method: holder.method });
  assert.equal(back.arrow(1), 2);
  assert.equal(await back.asyncFn(2), 20);
  assert.equal(back.method(1), 3);
  const { result } = await viaChild({ fn: asyncFn, args: [4] });
  assert.equal(result, 40);
});

test('serialize: a closure is a SerializationError naming the captures, place and fix', async () => {
  const secret = 41;
  const offset = 1;
  const closure = () => secret + offset;
  assert.throws(
    () => serialize({ task: closure }),
    (error: unknown) => {
      assert.ok(error instanceof SerializationError);
      const message = (error as Error).message;
      assert.match(message, /'secret'/);
      assert.match(message, /'offset'/);
      assert.match(message, /codec\.test\.ts:\d+:\d+/);
      assert.match(message, /Export it from its module, or make it self-contained/);
      assert.match(message, /value\.task/);
      return true;
    },
  );
  assert.deepEqual(describeFunction(closure).captures.sort(), ['offset', 'secret']);
  assert.throws(() => serialize(Math.max), SerializationError);
  assert.throws(() => serialize(fixture.double.bind(null)), SerializationError);
  assert.equal((await roundTrip(fixture.makeNested()))(), 5, 'a nested function without captures travels by source');
});

test('serialize: values that cannot travel are named with their path', () => {
  assert.throws(() => serialize({ a: [1, Symbol('s')] }), /value\.a\[1\] is a Symbol/);
  assert.throws(() => serialize({ p: Promise.resolve() }), /value\.p is a Promise/);
  assert.throws(() => serialize({ w: new WeakMap() }), SerializationError);
  assert.throws(() => serialize({ sab: new SharedArrayBuffer(8) }), /SharedArrayBuffer/);
});

test('serialize: class instances keep their prototype when the class is exported', async () => {
  const back = await roundTrip({ p: new fixture.Point(3, 4), hidden: fixture.makeHidden() });
  assert.ok(back.p instanceof fixture.Point);
  assert.equal(back.p.norm(), 5);
  assert.deepEqual(back.hidden, { v: 1 }, 'a non-exported class travels as a plain object');
  const { value } = await viaChild({ value: new fixture.Point(6, 8) });
  assert.ok(value instanceof fixture.Point);
  assert.equal((value as fixture.Point).norm(), 10);
});

test('serialize: errors keep class, name, message, stack, cause, code and own properties', async () => {
  const cause = new RangeError('inner');
  const error = new fixture.AppError('outer', { cause });
  (error as unknown as Record<string, unknown>).extra = { n: 1 };
  const back = await roundTrip(error);
  assert.ok(back instanceof fixture.AppError);
  assert.ok(back instanceof Error);
  assert.equal(back.message, 'outer');
  assert.equal(back.name, 'AppError');
  assert.equal(back.code, 'E_APP');
  assert.equal(back.stack, error.stack);
  assert.ok(back.cause instanceof RangeError);
  assert.equal((back.cause as Error).message, 'inner');
  assert.deepEqual((back as unknown as Record<string, unknown>).extra, { n: 1 });
  const aggregate = await roundTrip(new AggregateError([new TypeError('t')], 'many'));
  assert.ok(aggregate instanceof AggregateError);
  assert.ok(aggregate.errors[0] instanceof TypeError);
  const abort = await roundTrip(new DOMException('stop', 'AbortError'));
  assert.ok(abort instanceof DOMException);
  assert.equal(abort.name, 'AbortError');
  class Local extends Error {}
  const local = await roundTrip(Object.assign(new Local('x'), { name: 'Local' }));
  assert.equal(local.name, 'Local');
  assert.ok(local instanceof Error);
  const { result } = await viaChild({
    fn: (m: string) => {
      throw new TypeError(m);
    },
    args: ['from child'],
  });
  assert.ok(result instanceof TypeError);
  assert.equal((result as Error).message, 'from child');
});

test('serialize: handles are encoded by their type and rebuilt by the registered decoder', async () => {
  class Fake {
    constructor(readonly id: number) {}
    [kHandle]() {
      return { type: 'TestFake', data: { id: this.id } };
    }
  }
  registerHandleType('TestFake', (data) => new Fake((data as { id: number }).id * 10));
  const back = await roundTrip({ fake: new Fake(4) });
  assert.ok(back.fake instanceof Fake);
  assert.equal(back.fake.id, 40);
  const unknown = { [kHandle]: () => ({ type: 'NoSuchType', data: 1 }) };
  await assert.rejects(roundTrip(unknown), /no module of this process registered that type/);
});

test('serialize: taskRef names an export without importing it in the sender', async () => {
  const ref = taskRef(new URL('../fixtures/serialize/module.ts', import.meta.url), 'double');
  assert.equal(describeFunction(ref).exportName, 'double');
  assert.equal(await ref(21), 42);
  assert.equal(await roundTrip(ref), fixture.double);
  assert.throws(() => taskRef(''), TypeError);
});

test('serialize: deserializeSync finds modules that are already loaded', () => {
  const back = deserializeSync<{ f: (x: number) => number }>(serialize({ f: fixture.square }));
  assert.equal(back.f(3), 9);
  assert.throws(() => deserializeSync(new Uint8Array([9, 9])), SerializationError);
});
