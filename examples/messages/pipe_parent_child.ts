// Seed 003 "2、管道pipe": the child talks through conn1, the parent through conn2; then
// recv() raises EOFError once the other end is closed and nothing is left.
import { type Connection, EOFError, isMainProcess, Pipe, Process } from 'multiprocessing';

export async function foo(sk: Connection): Promise<void> {
  await sk.send('hello world');
  console.log(await sk.recv());
  sk.close(); // the child is done with its end
}

if (isMainProcess()) {
  const [conn1, conn2] = Pipe(); // 开辟两个口,都是能进能出
  const p = new Process({ target: foo, args: [conn1] });
  p.start();
  conn1.close(); // the parent keeps only its own end
  console.log(await conn2.recv()); // 主进程使用conn口接收
  await conn2.send('hi son'); // 主进程使用conn口发送
  await p.join();
  try {
    await conn2.recv();
  } catch (error) {
    console.log('recv after the child closed its end:', error instanceof EOFError ? 'EOFError' : error);
  }
}
