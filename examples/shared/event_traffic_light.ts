// Seed 004 "10. 线程同步 Event" as the classic traffic light: one process switches the light
// (event set = green, clear = red); cars wait at red and drive on green.
import { Event, isMainProcess, Process } from 'multiprocessing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function trafficLight(green: Event, cycles: number): Promise<void> {
  for (let i = 0; i < cycles; i++) {
    console.log('红灯亮了 (red)');
    green.clear();
    await sleep(150);
    console.log('绿灯亮了 (green)');
    green.set();
    await sleep(150);
  }
}

export async function car(green: Event, id: number): Promise<void> {
  if (!green.isSet()) console.log(`car ${id} waits at the red light`);
  await green.wait();
  console.log(`car ${id} drives through`);
}

if (isMainProcess()) {
  const green = new Event();
  const light = new Process({ target: trafficLight, args: [green, 2] });
  light.start();
  const cars = [1, 2, 3, 4].map((id) => new Process({ target: car, args: [green, id] }));
  for (const c of cars) {
    c.start();
    await sleep(60);
  }
  await Promise.all([light.join(), ...cars.map((c) => c.join())]);
}
