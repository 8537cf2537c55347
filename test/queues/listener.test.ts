// multiprocessing/connection: Listener, Client (Unix socket and TCP, with and without an
// authkey) and wait() over connections and processes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AuthenticationError, EOFError, Pipe, Process, ProcessError, Queue, SerializationError } from 'multiprocessing';
import { type Address, Client, Connection, Listener, wait } from 'multiprocessing/connection';
import * as workers from '../fixtures/queues/workers.ts';
import { childPids } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

const addresses: Array<[string, Address | undefined]> = [
  ['a Unix socket (the default)', undefined],
  ['TCP on 127.0.0.1, port 0', { host: '127.0.0.1', port: 0 }],
];

for (const [where, address] of addresses) {
  test(`listener: a child connects over ${where}, both sides prove the authkey, messages go both ways`, async () => {
    await using listener = new Listener({ address, authkey: 'secret' });
    if (typeof listener.address === 'object') assert.ok(listener.address.port > 0, 'the port picked is known at once');
    const child = new Process({ target: workers.socketClient, args: [listener.address, 'secret'] });
    child.start();
    const conn = await listener.accept();
    assert.ok(conn instanceof Connection);
    assert.deepEqual(await conn.recv(), { hello: 'child', n: 7n });
    await conn.send(21);
    assert.equal(await conn.recv(), 42);
    assert.equal(Buffer.from(await conn.recvBytes()).toString(), 'raw bytes');
    await assert.rejects(conn.recv(), EOFError, 'the client closed its end');
    conn.close();
    await child.join();
    assert.equal(child.exitcode, 0);
  });
}

test('listener: a wrong authkey fails both sides with AuthenticationError; the listener goes on serving', async () => {
  await using listener = new Listener({ address: { host: '127.0.0.1', port: 0 }, authkey: 'secret' });
  const wrong = new Process({ target: workers.wrongKeyClient, args: [listener.address] });
  wrong.start();
  await assert.rejects(listener.accept(), AuthenticationError);
  await wrong.join();
  assert.equal(wrong.exitcode, 3, 'the client got an AuthenticationError too');
  const right = new Process({ target: workers.socketClient, args: [listener.address, 'secret'] });
  right.start();
  const conn = await listener.accept();
  assert.deepEqual(await conn.recv(), { hello: 'child', n: 7n });
  await conn.send(1);
  assert.equal(await conn.recv(), 2);
  conn.close();
  await right.join();
});

test('listener: without an authkey, in this process; misuse is a clear error', async () => {
  await using listener = new Listener({ address: { host: 'localhost', port: 0 } });
  const [client, server] = await Promise.all([Client(listener.address), listener.accept()]);
  await client.send('ping');
  assert.equal(await server.recv(), 'ping');
  assert.equal(await server.poll(0), false);
  assert.throws(() => server.recvSync(), /recvSync\(\) needs a Pipe/);
  assert.throws(() => new Queue().putNowait(client as never), SerializationError, 'a socket end cannot be sent');
  await listener.close(); // (connections already accepted stay open; it used to wait for them)
  await client.send('still here');
  assert.equal(await server.recv(), 'still here');
  client.close();
  assert.equal(await server.poll(5000), true, 'end-of-file is ready');
  server.close();
  await assert.rejects(server.recv(), ProcessError);
  assert.throws(() => new Listener({ address: 42 as never }), /a Unix socket path \(a string\) or \{ host, port \}/);
  assert.throws(() => new Listener({ adress: '/tmp/x' } as never), /Listener has no option 'adress'/);
  await assert.rejects(Client('/nonexistent/mp-no-such.sock'), /ENOENT/);
});

test('wait: the ready connections and ended processes, in the order given; none after the timeout', async () => {
  const [a, b] = Pipe();
  const [c, d] = Pipe();
  assert.deepEqual(await wait([a, c], 30), [], 'nothing ready: empty after the timeout');
  const later = wait([a, c]);
  await d.send('to c');
  assert.deepEqual(await later, [c]);
  await b.send('to a');
  assert.deepEqual(await wait([a, c], 0), [a, c]);
  const child = new Process({ target: workers.sendAndExit, args: [b, []] });
  child.start();
  assert.deepEqual(await wait([child], 20_000), [child]);
  await child.join();
  for (const end of [a, b, c, d]) end.close();
  await assert.rejects(wait('x' as never), TypeError);
});
