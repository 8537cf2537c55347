// Issue 4 figures: P6/P7 Queue small items and 1 MiB payloads, producer process → consumer;
// P8/P10 Pipe small messages and 1 MiB sendBytes; P9 Pipe ping-pong; the memory a queue
// holding 1 000 000 small items takes. Usage: node bench/figures/messages.mjs -> one JSON line
import { Event, isMainProcess, Pipe, Process, Queue } from 'multiprocessing';

export async function queueProducer(q, ready, go, n, size) {
  const item = size ? new Uint8Array(size) : 0;
  ready.set();
  await go.wait();
  for (let i = 0; i < n; i++) q.putSync(size ? item : i);
}

export async function pipeProducer(conn, ready, go, n, size) {
  const item = size ? new Uint8Array(size) : 0;
  ready.set();
  await go.wait();
  for (let i = 0; i < n; i++) {
    if (size) await conn.sendBytes(item);
    else await conn.send(i);
  }
  conn.close();
}

export function echo(conn) {
  for (;;) {
    const message = conn.recvSync();
    if (message === null) break;
    conn.send(message);
  }
}

async function timedQueue(n, size) {
  const q = new Queue();
  const ready = new Event();
  const go = new Event();
  const p = new Process({ target: queueProducer, args: [q, ready, go, n, size] });
  p.start();
  await ready.wait();
  const start = performance.now();
  go.set();
  for (let i = 0; i < n; i++) q.getSync();
  const seconds = (performance.now() - start) / 1000;
  await p.join();
  return seconds;
}

async function timedPipe(n, size) {
  const [a, b] = Pipe();
  const ready = new Event();
  const go = new Event();
  const p = new Process({ target: pipeProducer, args: [b, ready, go, n, size] });
  p.start();
  b.close();
  await ready.wait();
  const start = performance.now();
  go.set();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (size) bytes += (await a.recvBytes()).length;
    else a.recvSync();
  }
  const seconds = (performance.now() - start) / 1000;
  if (size && bytes !== n * size) throw new Error(`got ${bytes} bytes`);
  await p.join();
  a.close();
  return seconds;
}

if (isMainProcess()) {
  const m = {};
  const MB = 1e6;
  let s = await timedQueue(200_000, 0);
  m.queue_small_msgs_per_s = 200_000 / s;
  s = await timedQueue(200, 1 << 20);
  m.queue_1MiB_MB_per_s = (200 * (1 << 20)) / s / MB;
  s = await timedPipe(200_000, 0);
  m.pipe_small_msgs_per_s = 200_000 / s;
  s = await timedPipe(500, 1 << 20);
  m.pipe_1MiB_bytes_MB_per_s = (500 * (1 << 20)) / s / MB;

  const [a, b] = Pipe();
  const p = new Process({ target: echo, args: [b] });
  p.start();
  b.close();
  for (let i = 0; i < 500; i++) {
    await a.send(i);
    a.recvSync();
  }
  const rounds = 20_000;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    await a.send(i);
    a.recvSync();
  }
  m.pipe_pingpong_roundtrip_us = ((performance.now() - start) * 1000) / rounds;
  await a.send(null);
  await p.join();
  a.close();

  const q = new Queue();
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 1_000_000; i++) q.putSync(i);
  m.queue_1M_items_rss_growth_mib = (process.memoryUsage().rss - before) / 1048576;
  console.log(JSON.stringify({ fig: 'messages', metrics: m }));
}
