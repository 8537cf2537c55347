// Seed 001 "7.1 管道通信": a duplex Pipe between two children. In Python the ends are
// globals inherited at fork; here each child receives its end as an argument.
import { type Connection, isMainProcess, Pipe, Process } from 'multiprocessing';

export async function fun1(fd1: Connection): Promise<void> {
  const data = await fd1.recv(); // 从管道获取消息
  console.log('管道2传给管道1的数据', data);
  await fd1.send('跟你说句悄悄话');
}

export async function fun2(fd2: Connection): Promise<void> {
  await fd2.send('肥水不流外人天');
  const data = await fd2.recv();
  console.log('管道1传给管道2的数据', data);
}

if (isMainProcess()) {
  const [fd1, fd2] = Pipe(); // 创建管道,默认双向管道
  const p1 = new Process({ target: fun1, args: [fd1] });
  const p2 = new Process({ target: fun2, args: [fd2] });
  p1.start();
  p2.start();
  fd1.close();
  fd2.close();
  await Promise.all([p1.join(), p2.join()]);
}
