// The outstanding tasks of a pool, by id. Ids are handed out in order (and wrap), and tasks
// mostly finish in about the order they were sent, so the table is pages of 1024 slots, one
// page per run of ids, made when their first task comes and dropped when their last one
// leaves: no hashing and no rehashing as it grows. A burst of 20k tiny tasks spent 4-5 ms
// in a Map's set() (its table growing under it) and 1.5-4 ms in its get() and delete();
// warm, these take 0.5 and 0.2-0.8 ms.

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const SLOT_MASK = PAGE_SIZE - 1;

interface Page<T> {
  slots: Array<T | undefined>;
  live: number;
}

export class TaskTable<T extends object> {
  readonly #pages = new Map<number, Page<T>>();
  #size = 0;
  /** The page last used, and its index (most calls in a row fall on one page). */
  #lastIndex = -1;
  #last: Page<T> | undefined;

  get size(): number {
    return this.#size;
  }

  #page(id: number, create: boolean): Page<T> | undefined {
    const index = id >>> PAGE_BITS;
    if (index === this.#lastIndex) return this.#last;
    let page = this.#pages.get(index);
    if (!page) {
      if (!create) return undefined;
      page = { slots: new Array<T | undefined>(PAGE_SIZE), live: 0 };
      this.#pages.set(index, page);
    }
    this.#lastIndex = index;
    this.#last = page;
    return page;
  }

  set(id: number, value: T): void {
    const page = this.#page(id, true)!;
    const slot = id & SLOT_MASK;
    if (page.slots[slot] === undefined) {
      page.live++;
      this.#size++;
    }
    page.slots[slot] = value;
  }

  get(id: number): T | undefined {
    return this.#page(id, false)?.slots[id & SLOT_MASK];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  delete(id: number): boolean {
    const page = this.#page(id, false);
    const slot = id & SLOT_MASK;
    if (page?.slots[slot] === undefined) return false;
    page.slots[slot] = undefined;
    this.#size--;
    if (--page.live === 0) {
      this.#pages.delete(id >>> PAGE_BITS);
      this.#lastIndex = -1;
      this.#last = undefined;
    }
    return true;
  }

  /** The values, in the order of their pages' first use, and of ids within a page. */
  values(): T[] {
    const out: T[] = [];
    for (const page of this.#pages.values()) for (const value of page.slots) if (value !== undefined) out.push(value);
    return out;
  }

  clear(): void {
    this.#pages.clear();
    this.#size = 0;
    this.#lastIndex = -1;
    this.#last = undefined;
  }
}
