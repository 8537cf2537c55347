// AsyncResult: the handle applyAsync()/mapAsync() return, as Python's. It is also a
// thenable, so `await pool.applyAsync(...)` works.
import { ProcessError } from '../errors.js';
import { validateTimeout, withTimeout } from '../util/deadline.js';

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
    return withTimeout(this.#promise, timeout, 'the result was not ready');
  }

  /** Resolves when the result is ready or the timeout passes; rejects only for a bad timeout. */
  async wait(timeout?: number): Promise<void> {
    if (timeout !== undefined) validateTimeout(timeout);
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
