import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskTable } from '../../src/pool/task-table.ts';
import { MAX_TASK_ID } from '../../src/pool/worker.ts';

/** Runs the same operations on a TaskTable and a Map, and compares them after each. */
function mirror() {
  const table = new TaskTable<{ id: number }>();
  const map = new Map<number, { id: number }>();
  const check = () => {
    assert.equal(table.size, map.size);
    assert.deepEqual(
      table
        .values()
        .map((v) => v.id)
        .sort((a, b) => a - b),
      [...map.values()].map((v) => v.id).sort((a, b) => a - b),
    );
  };
  return {
    table,
    map,
    check,
    set(id: number) {
      const value = { id };
      table.set(id, value);
      map.set(id, value);
    },
    delete(id: number) {
      assert.equal(table.delete(id), map.delete(id), `delete(${id})`);
    },
  };
}

test('task table: set, get, has, delete and size, as a Map gives them, across pages and in any order', () => {
  const m = mirror();
  // A burst in order, finished mostly in order, some late; ids over several pages.
  for (let id = 1; id <= 5000; id++) m.set(id);
  m.check();
  for (let id = 1; id <= 5000; id++) {
    assert.equal(m.table.get(id), m.map.get(id));
    assert.equal(m.table.has(id), true);
  }
  assert.equal(m.table.get(5001), undefined);
  assert.equal(m.table.has(0), false);
  for (let id = 1; id <= 5000; id += id % 7 === 0 ? 3 : 1) m.delete(id);
  m.check();
  m.delete(1); // already gone
  m.delete(123_456); // never there
  m.check();
  // A page emptied and used again; the same id set twice.
  for (let id = 1; id <= 2048; id++) m.delete(id);
  m.check();
  m.set(10);
  m.set(10);
  m.check();
  for (const value of m.map.values()) m.delete(value.id);
  m.check();
  assert.equal(m.table.size, 0);
  assert.deepEqual(m.table.values(), []);
});

test('task table: ids near the top of their range and after they wrap; clear()', () => {
  const m = mirror();
  for (let id = MAX_TASK_ID - 1500; id <= MAX_TASK_ID; id++) m.set(id);
  for (let id = 1; id <= 1500; id++) m.set(id); // (ids wrap to 1)
  m.check();
  assert.equal(m.table.get(MAX_TASK_ID)?.id, MAX_TASK_ID);
  for (let id = MAX_TASK_ID - 1500; id <= MAX_TASK_ID; id += 2) m.delete(id);
  m.check();
  m.table.clear();
  assert.equal(m.table.size, 0);
  assert.equal(m.table.get(1), undefined);
  assert.deepEqual(m.table.values(), []);
  m.table.set(7, { id: 7 });
  assert.equal(m.table.size, 1);
});
