// AsyncResult: the handle applyAsync()/mapAsync() return, as Python's. It is also a
// thenable, so `await pool.applyAsync(...)` works.
import { ProcessError, TimeoutError } from '../errors.js';
import { validateTimeout } from '../util/deadline.js';

export class AsyncResult<R> implements PromiseLike<R> {
  readonly #promise: Promise<R>;
  #state: 'pending' | 'fulfilled' | 'rejected' = 'pending';

  /** Internal: made by Pool. */
  constructor(promise: Promise<R>) {
    this.#promise = promise;
    promise.then(
      () => {
        this.#state = 'fulfilled';
      },
      () => {
        this.#state = 'rejected';
      },
    );
  }

  /** The result; TimeoutError if it is not ready within `timeout` ms. */
  async get(timeout?: number): Promise<R> {
    if (timeout === undefined) return this.#promise;
    validateTimeout(timeout);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.#promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError(`the result was not ready within ${timeout} ms`)), timeout);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when the result is ready or the timeout passes (never rejects). */
  async wait(timeout?: number): Promise<void> {
    try {
      await this.get(timeout);
    } catch {
      // wait() only waits
    }
  }

  ready(): boolean {
    return this.#state !== 'pending';
  }

  successful(): boolean {
    if (this.#state === 'pending') throw new ProcessError('the result is not ready yet; call ready() or wait() first');
    return this.#state === 'fulfilled';
  }

  // biome-ignore lint/suspicious/noThenProperty: AsyncResult is deliberately a thenable
  then<A = R, B = never>(
    onFulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null, // any, as in Promise#then
  ): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }
}
