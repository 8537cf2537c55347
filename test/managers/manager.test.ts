// multiprocessing/managers: Manager(), SyncManager's types, registered types, proxies passed to
// children, errors from the manager, connect() and a server in this process.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { activeChildren, Event, Manager, Process, ProcessError } from 'multiprocessing';
import { BaseManager, BaseProxy, DictProxy, ListProxy, NamespaceProxy, SyncManager } from 'multiprocessing/managers';
import * as objects from '../fixtures/managers/objects.ts';
import { childPids } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

type Callable = Record<string, (...args: unknown[]) => Promise<unknown>>;

test('Manager(): dict, list, Namespace, Queue, Value, Lock; proxies work in a child too', async () => {
  const manager = await Manager();
  try {
    assert.ok(manager instanceof SyncManager);
    const d = await manager.dict<string, number>({ a: 1 });
    const l = await manager.list(['x']);
    const q = await manager.Queue();
    assert.ok(d instanceof DictProxy && d instanceof BaseProxy);
    assert.ok(l instanceof ListProxy);
    assert.equal(await d.get('a'), 1);
    assert.equal(await d.get('zz', 9), 9, 'get with a fallback');
    const child = new Process({ target: objects.useProxies, args: [d, l, q] });
    child.start();
    await child.join();
    assert.equal(child.exitcode, 0);
    assert.equal(await d.get('child'), child.pid);
    assert.deepEqual(await d.keys(), ['a', 'child']);
    assert.equal(await d.setdefault('b', 2), 2);
    assert.equal(await d.pop('b'), 2);
    await assert.rejects(d.pop('b'), RangeError, 'a missing key, as Python raises KeyError');
    assert.equal(await d.pop('b', 0), 0);
    await d.update({ c: 3 });
    assert.deepEqual(
      await d.copy(),
      new Map<string, number>([
        ['a', 1],
        ['child', child.pid!],
        ['c', 3],
      ]),
    );
    assert.deepEqual(await l.copy(), ['x', 'from child']);
    assert.equal(await l.get(-1), 'from child');
    await l.insert(0, 'first');
    assert.equal(await l.index('x'), 1);
    assert.equal(await l.size(), 3);
    await assert.rejects(l.get(10), RangeError);
    assert.equal(await (q as unknown as Callable).get!(), 'queued by child');
    const ns = await manager.Namespace();
    assert.ok(ns instanceof NamespaceProxy);
    await ns.set('answer', 42);
    assert.equal(await ns.get('answer'), 42);
    const v = (await manager.Value('i', 3)) as unknown as Callable;
    await v.set!(4);
    assert.equal(await v.get!(), 4);
    const lock = (await manager.Lock()) as unknown as Callable;
    assert.equal(await lock.acquire!(), true);
    assert.equal(await lock.acquire!({ block: false }), false, 'held: a second acquire does not get it');
    await lock.release!();
    const event = (await manager.Event()) as unknown as Callable;
    await event.set!();
    assert.equal(await event.isSet!(), true);
  } finally {
    await manager.shutdown();
  }
  await assert.rejects(
    (await Promise.resolve(manager)).dict(),
    /the manager is gone|ECONNREFUSED|ENOENT/,
    'after shutdown, no more objects',
  );
});

test('Manager(): a client killed in a call holds up nobody; a killed manager fails the next call clearly', async () => {
  const manager = await Manager();
  try {
    const d = await manager.dict<string, number>();
    const q = await manager.Queue();
    const started = new Event();
    const child = new Process({ target: objects.getForever, args: [q, started] });
    child.start();
    assert.equal(await started.wait(20_000), true);
    child.kill(); // (its connection to the manager, a Pipe, ends with it)
    await child.join(20_000);
    assert.equal(child.exitcode, -9);
    await d.set('after', 1);
    assert.equal(await d.get('after'), 1, 'the manager serves on');
    const server = activeChildren().find((p) => p !== child);
    assert.ok(server, 'the manager runs in a child process');
    server.kill();
    await server.join(20_000);
    await assert.rejects(d.get('after'), /the manager is gone/);
  } finally {
    await manager.shutdown();
  }
});

class CounterManager extends BaseManager {}
CounterManager.register('Counter', objects.Counter);
CounterManager.register('Tally', objects.makeTally);
CounterManager.register('Limited', objects.Counter, { exposed: ['get'] });

test('BaseManager: registered types (class and function), exposed methods, errors with their class, connect()', async () => {
  const manager = new CounterManager({ address: { host: '127.0.0.1', port: 0 }, authkey: 'shared secret' });
  await manager.start();
  try {
    const address = manager.address as { host: string; port: number };
    assert.ok(address.port > 0);
    const counter = (await manager.create('Counter', 10)) as unknown as Callable;
    assert.equal(await counter.inc!(5), 15);
    assert.equal(await counter.get!(), 15);
    assert.equal(counter._hidden, undefined, "a method starting with '_' is not exposed");
    await assert.rejects(counter.fail!(), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.equal((error as Error).message, 'counter failure');
      return true;
    });
    const tally = (await (manager as unknown as Callable).Tally!(1)) as Callable;
    assert.equal(await tally.add!(2), 3);
    const limited = (await manager.create('Limited', 7)) as unknown as Callable;
    assert.equal(await limited.get!(), 7);
    assert.equal(limited.inc, undefined);
    await assert.rejects(manager.create('Nope'), /no type 'Nope' registered/);
    // Another manager object, as another program would: the same server, by address and key.
    const other = new CounterManager({ address, authkey: 'shared secret' });
    await other.connect();
    const second = (await other.create('Counter', 1)) as unknown as Callable;
    assert.equal(await second.inc!(1), 2);
    const intruder = new CounterManager({ address, authkey: 'wrong' });
    await assert.rejects(intruder.connect(), /authkey|AuthenticationError/);
  } finally {
    await manager.shutdown();
  }
});

test('BaseManager: getServer() serves in this process until a client shuts it down; misuse', async () => {
  const serving = new CounterManager({ address: { host: '127.0.0.1', port: 0 }, authkey: 'k' });
  const server = serving.getServer();
  const done = server.serveForever();
  const client = new CounterManager({ address: server.address, authkey: 'k' });
  await client.connect();
  const counter = (await client.create('Counter', 2)) as unknown as Callable;
  assert.equal(await counter.inc!(3), 5);
  const bystander = new CounterManager({ address: server.address, authkey: 'k' });
  const theirs = (await bystander.create('Counter', 0)) as unknown as Callable; // (an idle connection stays open)
  await client.shutdown();
  await done;
  // The server closed every connection as it stopped (an idle one would keep this process alive).
  await assert.rejects(theirs.inc!(1), /the manager is gone|ECONNREFUSED/);
  await assert.rejects(new SyncManager().create('dict'), ProcessError, 'not started');
  assert.throws(() => CounterManager.register('Bad', 42 as never), TypeError);
  assert.throws(() => new SyncManager({ adress: 'x' } as never), /has no option 'adress'/);
});
