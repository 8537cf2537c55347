import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskSink } from '../../src/pool/engine.ts';
import { LazyMap, type LazyMapOptions, MAX_ITEMS, PERIOD_MS, ReadAhead, WINDOW_MS } from '../../src/pool/imap.ts';

test('read-ahead window: starts at its floor, covers WINDOW_MS of the measured rate, within its bounds', () => {
  const window = new ReadAhead(4, 0);
  assert.equal(window.limit, 4);
  window.settled(500, PERIOD_MS / 2);
  assert.equal(window.limit, 4, 'a period shorter than PERIOD_MS changes nothing');
  window.settled(500, PERIOD_MS); // 1000 items in PERIOD_MS
  assert.equal(window.limit, Math.min(MAX_ITEMS, Math.ceil((1000 * WINDOW_MS) / PERIOD_MS)));
  assert.equal(window.limit, MAX_ITEMS, 'never over MAX_ITEMS');
  window.settled(100, PERIOD_MS + 1); // 100 items per ms
  assert.equal(window.limit, 100 * WINDOW_MS);
  window.settled(2, PERIOD_MS + 1 + 10); // slow tasks: 2 items in 10 ms
  assert.equal(window.limit, 4, 'never under the floor');
  const wide = new ReadAhead(MAX_ITEMS * 2, 0);
  wide.settled(1_000_000, 1);
  assert.equal(wide.limit, MAX_ITEMS * 2, 'a floor over MAX_ITEMS wins');
  wide.unbound();
  wide.settled(1, 100);
  assert.equal(wide.limit, Number.POSITIVE_INFINITY, 'unbound stays unbound');
});

/**
 * A LazyMap over a fake pool: each chunk sent is squared and settled on a later macrotask (all
 * chunks sent so far at once, last first), on a clock that advances `msPerItem` per result.
 */
type State = {
  produced: number;
  consumed: number;
  maxOutstanding: number;
  released: number;
  sent: number;
  sentAfterRelease: number;
  clock: number;
};
function fake<T extends number>(
  makeInput: (state: State) => Iterable<T> | AsyncIterable<T>,
  options: Partial<LazyMapOptions<T>> & { msPerItem?: number; failAt?: number } = {},
) {
  const state: State = {
    produced: 0,
    consumed: 0,
    maxOutstanding: 0,
    released: 0,
    sent: 0,
    sentAfterRelease: 0,
    clock: 0,
  };
  const input = makeInput(state);
  let batch: Array<[T[], TaskSink]> = [];
  const lazy = new LazyMap<T>({
    iterator: Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator](),
    async: Symbol.asyncIterator in input,
    ordered: true,
    chunksize: 1,
    floor: 4,
    send(chunk, sink) {
      if (options.failAt !== undefined && chunk.includes(options.failAt as T)) {
        throw new TypeError(`cannot send ${options.failAt}`);
      }
      state.sent += chunk.length;
      if (state.released > 0) state.sentAfterRelease += chunk.length;
      state.maxOutstanding = Math.max(state.maxOutstanding, state.produced - state.consumed);
      if (batch.length === 0) {
        setImmediate(() => {
          const settling = batch.reverse();
          batch = [];
          for (const [items, to] of settling) {
            state.clock += (options.msPerItem ?? 0.001) * items.length;
            to.resolve(
              items.map((x) => x * x),
              0,
            );
          }
        });
      }
      batch.push([chunk, sink]);
    },
    release: () => state.released++,
    now: () => state.clock,
    ...options,
  });
  const consume = async (limit = Number.POSITIVE_INFINITY) => {
    const seen: number[] = [];
    for await (const value of lazy.results()) {
      seen.push(value as number);
      state.consumed++;
      if (seen.length === limit) break;
    }
    return seen;
  };
  return { lazy, state, consume };
}

/** An input of n numbers (endless by default) that counts what was read of it. */
const counting = (n = Number.POSITIVE_INFINITY) =>
  function* (state: State) {
    for (let i = 0; i < n; i++) {
      state.produced++;
      yield i;
    }
  };

test('lazy map: results in input order though chunks settle last first; whole chunks; the input released once read', async () => {
  for (const chunksize of [1, 3]) {
    const { state, consume } = fake(counting(50), { chunksize, floor: 4 * chunksize });
    const seen = await consume();
    assert.deepEqual(
      seen,
      Array.from({ length: 50 }, (_, i) => i * i),
    );
    assert.equal(state.released, 1);
    assert.equal(state.sent, 50);
  }
});

test('lazy map, unordered: every result once, in the order the chunks settled', async () => {
  const { consume } = fake(counting(40), { ordered: false });
  const seen = await consume();
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i * i),
  );
  assert.notDeepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'chunks settled last first come out so',
  );
});

test('lazy map: fast tasks widen the window up to MAX_ITEMS, slow ones keep it at its floor', async () => {
  for (const [msPerItem, bound] of [
    [0.001, MAX_ITEMS],
    [10, 4],
  ] as const) {
    const { state, consume } = fake(counting(), { msPerItem });
    const seen = await consume(5 * MAX_ITEMS);
    assert.equal(seen.length, 5 * MAX_ITEMS);
    assert.ok(
      state.produced - seen.length <= bound,
      `${msPerItem} ms per item: read ${state.produced} for ${seen.length}`,
    );
    assert.ok(state.maxOutstanding <= bound, `at most ${bound} outstanding, saw ${state.maxOutstanding}`);
    if (msPerItem < 1) assert.ok(state.maxOutstanding > MAX_ITEMS / 2, 'the window widened');
  }
});

test('lazy map: an item that cannot be sent, or an input that throws, fails in its place after the results before it', async () => {
  for (const ordered of [true, false]) {
    let closed = false;
    const { state, consume } = fake(
      (s) =>
        (function* () {
          try {
            yield* counting()(s);
          } finally {
            closed = true;
          }
        })(),
      { failAt: 5, ordered },
    );
    const seen: number[] = [];
    await assert.rejects(async () => seen.push(...(await consume())), /cannot send 5/);
    assert.equal(closed, true, 'the input is closed');
    assert.equal(state.released, 1);
    // (count what the consumer got through the state; unordered, the failure comes when it
    // happened: at once, before results still on their way)
    if (ordered) assert.equal(state.consumed, 5, 'the 5 results before the item');
    else assert.ok(state.consumed <= 5);
  }
  const broken = fake(
    (s) =>
      (async function* () {
        yield* counting(3)(s);
        throw new RangeError('the input broke');
      })(),
    { async: true },
  );
  await assert.rejects(broken.consume(), /the input broke/);
  assert.equal(broken.state.consumed, 3);
  assert.equal(broken.state.released, 1);
});

test('lazy map: leaving early closes the input and releases the call; readAll() reads the rest without an iteration', async () => {
  let closed = false;
  const early = fake((s) =>
    (function* () {
      try {
        yield* counting()(s);
      } finally {
        closed = true;
      }
    })(),
  );
  assert.deepEqual(await early.consume(3), [0, 1, 4]);
  assert.equal(closed, true);
  assert.equal(early.state.released, 1);

  const all = fake(
    (s) =>
      (async function* () {
        yield* counting(2000)(s);
      })(),
    { async: true },
  );
  all.lazy.readAll();
  // (nobody iterates yet: the input is read to its end all the same)
  await new Promise<void>((resolve) => {
    const poll = () => (all.state.released === 1 ? resolve() : setImmediate(poll));
    poll();
  });
  assert.equal(all.state.produced, 2000);
  assert.equal(all.state.sent, 2000);
  const seen = await all.consume();
  assert.equal(seen.length, 2000);
  assert.equal(seen[1999], 1999 * 1999);
});

test('lazy map: an item still being read when the caller leaves is not sent', async () => {
  for (const chunksize of [1, 2]) {
    const { state, consume } = fake(
      (s) =>
        (async function* () {
          for (let i = 0; ; i++) {
            await new Promise((resolve) => setImmediate(resolve));
            s.produced++;
            yield i;
          }
        })(),
      { async: true, chunksize },
    );
    assert.deepEqual(await consume(3), [0, 1, 4]);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(state.sentAfterRelease, 0, `chunksize ${chunksize}: nothing sent after the caller left`);
    assert.equal(state.released, 1);
  }
});
