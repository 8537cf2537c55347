import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { BufferTooShort, EOFError, Pipe, Process, ProcessError, Queue, SerializationError } from 'multiprocessing';
import { Connection } from 'multiprocessing/connection';
import { Pipe as SourcePipe } from '../../src/connection/connection.ts';
import { EOFError as SourceEOFError } from '../../src/errors.ts';
import { Channel as SourceChannel } from '../../src/queues/channel.ts';
import * as workers from '../fixtures/queues/workers.ts';
import { childPids, startMethods } from '../helpers.ts';

after(() => assert.deepEqual(childPids(), []));

test('pipe: duplex ends talk both ways; un-awaited sends keep their order', async () => {
  const [a, b] = Pipe();
  assert.ok(a instanceof Connection);
  assert.equal(a.readable && a.writable, true);
  for (let i = 0; i < 100; i++) void a.send(i);
  for (let i = 0; i < 100; i++) assert.equal(await b.recv(), i);
  await b.send({ back: [1, 2] });
  assert.deepEqual(await a.recv(), { back: [1, 2] });
  assert.equal(b.recvSync === undefined, false);
  a.close();
  b.close();
});

test('pipe: one-way ends, EOFError once the writer is closed and nothing is left', async () => {
  const [reader, writer] = Pipe(false);
  assert.equal(reader.readable, true);
  assert.equal(reader.writable, false);
  assert.equal(writer.readable, false);
  await assert.rejects(reader.send(1), ProcessError);
  await assert.rejects(writer.recv(), ProcessError);
  await writer.send('last');
  writer.close();
  assert.equal(await reader.recv(), 'last');
  await assert.rejects(reader.recv(), EOFError);
  assert.throws(() => reader.recvSync(), EOFError);
  assert.equal(await reader.poll(), true, 'end-of-file counts as ready');
  reader.close();
  assert.equal(reader.closed, true);
  await assert.rejects(reader.recv(), ProcessError);
});

test('pipe: messages sent just before the writer closes are received, not lost to an early EOFError', async () => {
  // The race, made to happen every time: the writer sends and closes after the reader found
  // the channel empty and before it asks whether a writer is left.
  const hasHolders = SourceChannel.prototype.hasHolders;
  for (const how of ['recv', 'recvSync'] as const) {
    const [reader, writer] = SourcePipe(false);
    let raced = false;
    SourceChannel.prototype.hasHolders = function (this: SourceChannel, role) {
      if (role === 'writer' && !raced) {
        raced = true;
        void writer.send('late');
        writer.close();
      }
      return hasHolders.call(this, role);
    };
    try {
      assert.equal(how === 'recv' ? await reader.recv() : reader.recvSync(), 'late', how);
      assert.equal(raced, true);
      if (how === 'recv') await assert.rejects(reader.recv(), SourceEOFError);
      else assert.throws(() => reader.recvSync(), SourceEOFError);
    } finally {
      SourceChannel.prototype.hasHolders = hasHolders;
      reader.close();
    }
  }
});

test('pipe: bytes, offsets, maxlength and BufferTooShort without losing the message', async () => {
  const [a, b] = Pipe();
  await a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]), 1, 3);
  await a.sendBytes(Buffer.from('hello'));
  assert.deepEqual([...(await b.recvBytes())], [2, 3, 4]);
  await assert.rejects(b.recvBytes(2), BufferTooShort);
  assert.equal(Buffer.from(await b.recvBytes(5)).toString(), 'hello');
  await assert.rejects(a.sendBytes(new Uint8Array(2), 3), RangeError);
  await assert.rejects(a.sendBytes(new Uint8Array(2), 0, 5), RangeError);
  a.close();
  b.close();
});

test('pipe: poll waits for data with a timeout', async () => {
  const [a, b] = Pipe();
  assert.equal(await b.poll(), false);
  assert.equal(await b.poll(20), false);
  setImmediate(() => void a.send('x'));
  assert.equal(await b.poll(5000), true);
  assert.equal(await b.recv(), 'x');
  await assert.rejects(b.poll(-1), RangeError);
  a.close();
  b.close();
});

test('pipe: an unsendable message throws in the sender and the pipe stays usable', async () => {
  const [a, b] = Pipe();
  const captured = 1;
  await assert.rejects(async () => a.send(() => captured), SerializationError);
  await a.send('fine');
  assert.equal(await b.recv(), 'fine');
  a.close();
  b.close();
});

test('pipe: a connection end travels inside a queue message', async () => {
  const [a, b] = Pipe();
  const q = new Queue<Connection>();
  await q.put(b);
  b.close();
  const received = await q.get();
  await a.send('via the queue');
  assert.equal(await received.recv(), 'via the queue');
  received.close();
  a.close();
});

for (const context of startMethods) {
  describe(`pipes across processes (${context})`, () => {
    test('parent and child exchange messages; the child sees EOF when the parent closes', async () => {
      const [parentEnd, childEnd] = Pipe();
      const child = new Process({ target: workers.echo, args: [childEnd], context });
      child.start();
      childEnd.close(); // Python's idiom: the parent keeps only its own end
      await parentEnd.send('hello');
      assert.deepEqual(await parentEnd.recv(), { echoed: 'hello' });
      await parentEnd.send([1, 2]);
      assert.deepEqual(await parentEnd.recv(), { echoed: [1, 2] });
      parentEnd.close();
      await child.join();
      assert.equal(child.exitcode, 0);
    });

    test('the reader gets what was sent, then EOFError, when the writer process ends without closing', async () => {
      const [reader, writer] = Pipe(false);
      const child = new Process({ target: workers.sendAndExit, args: [writer, ['a', 'b']], context });
      child.start();
      writer.close();
      await child.join();
      assert.equal(await reader.recv(), 'a');
      assert.equal(await reader.recv(), 'b');
      // (a thread shares our pid: its ends are closed when it ends, or it used to hang here)
      await assert.rejects(reader.recv(), EOFError);
      reader.close();
    });
  });
}

test('pipe: closing a connection ends its own waiting recv() and poll(); sendBytes() needs bytes', async () => {
  const [a, b] = Pipe();
  const receiving = b.recv();
  const polling = b.poll(60_000);
  await new Promise((resolve) => setImmediate(resolve));
  b.close(); // they used to wait for ever, and kept the program alive
  await assert.rejects(receiving, /closed while a recv\(\) or poll\(\) waited/);
  await assert.rejects(polling, ProcessError);
  for (const wrong of ['abc', 123, [1, 2, 3], null]) {
    await assert.rejects(a.sendBytes(wrong as never), /sendBytes\(\) needs bytes/, String(wrong));
  }
  a.close();
  // A send right after the reader closed fails at once (the message was lost for up to 100 ms).
  const [reader, writer] = Pipe(false);
  await writer.send('seen');
  reader.close();
  await assert.rejects(writer.send('lost'), EOFError);
  writer.close();
});

for (const context of startMethods) {
  test(`pipe: EOFError once a writer holding its end is killed (${context})`, async () => {
    const [reader, writer] = Pipe(false);
    const child = new Process({ target: workers.sendThenHold, args: [writer], context });
    child.start();
    writer.close();
    assert.equal(await reader.recv(), 'ready');
    child.kill(); // a thread shares our pid: its end used to count as held until the process ended
    await child.join();
    assert.equal(await reader.poll(10_000), true, 'end-of-file is ready');
    await assert.rejects(reader.recv(), EOFError);
    reader.close();
  });
}

test('pipe: EOFError when the writer process is SIGKILLed', async () => {
  const [reader, writer] = Pipe(false);
  const child = new Process({ target: workers.sendAndExit, args: [writer, []] });
  child.start();
  writer.close();
  child.kill();
  await child.join();
  await assert.rejects(reader.recv(), EOFError);
  reader.close();
});
