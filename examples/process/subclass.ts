// Seed 002 "使用自定義進程類" and seed 004's `class zzw(Process)`: subclass Process and
// override run(); constructor arguments become fields, which travel to the child. The
// class must be exported (it passes by reference, as pickle would import it).
import { currentProcess, isMainProcess, Process } from 'multiprocessing';

export class MyProcess extends Process {
  override run(): void {
    console.log(`1.子進程id:${process.pid},2.父進程id:${process.ppid}`);
  }
}

export class NamedProcess extends Process {
  constructor(name: string) {
    super(); // 手動調用一下父類的構造方法
    this.name = name;
  }
  override run(): void {
    console.log(`1.子進程id:${process.pid},2.父進程id:${process.ppid}`);
    console.log(this.name, '=', currentProcess().name);
  }
}

export class Greeter extends Process {
  greeting: string;
  constructor(greeting: string) {
    super();
    this.greeting = greeting; // an own field: copied to the child
  }
  override run(): void {
    console.log(`${this.greeting} from ${this.constructor.name} in pid ${process.pid}`);
  }
}

if (isMainProcess()) {
  for (const p of [new MyProcess(), new NamedProcess('我是參數'), new Greeter('hello')]) {
    p.start();
    await p.join();
  }
}
