// Seed 001's related article "Python使用多进程运行含有任意个参数的函数": my_print(x) made
// parallel with Pool.map, then functions of several arguments: starmap takes one argument list
// per call, applyAsync takes `args`, and an options object stands in for Python's kwargs.
import { isMainProcess, Pool, SerializationError } from 'multiprocessing';

export function myPrint(x: number): void {
  console.log(x);
}

export function myPrint3(x: number, y: number, z: number): number {
  console.log(`${x} + ${y} + ${z} = ${x + y + z}`);
  return x + y + z;
}

export function greet(person: { name: string; greeting?: string }): string {
  return `${person.greeting ?? '你好'}, ${person.name}`;
}

if (isMainProcess()) {
  const pool = new Pool(2);
  await pool.map(myPrint, [0, 1, 2, 3, 4]); // the order of the lines is the workers'
  const sums = await pool.starmap(myPrint3, [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  console.log('starmap returned', sums);
  console.log(await pool.applyAsync(myPrint3, [10, 20, 30]).get());
  console.log(await pool.map(greet, [{ name: '小明' }, { name: 'Alice', greeting: 'Hello' }]));
  // A self-contained arrow function travels by its source (Python cannot pickle a lambda)...
  console.log(await pool.map((x: number) => x ** 3, [1, 2, 3]));
  // ...but one that uses a variable of this module cannot: export a function instead.
  try {
    await pool.map((x: number) => myPrint3(x, 0, 0), [1]);
  } catch (error) {
    console.log('SerializationError:', error instanceof SerializationError);
    console.log((error as Error).message);
  }
  pool.close();
  await pool.join();
}
