/**
 * Turns callbacks into an async iterable: `push` values, then `end()` or `fail(error)`; a
 * consumer reads them in order with `for await`. Values pushed after the end are dropped.
 *
 * @example
 * ```ts
 * const queue = new AsyncQueue<string>();
 * run((value) => queue.push(value)).then(() => queue.end(), (error) => queue.fail(error));
 * for await (const value of queue) console.log(value);
 * ```
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #values: T[] = [];
  #done = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(value: T): void {
    if (this.#done) return;
    this.#values.push(value);
    this.#notify();
  }

  end(): void {
    this.#done = true;
    this.#notify();
  }

  fail(error: unknown): void {
    if (this.#done) return;
    this.#failure = { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.#values.length > 0) {
        yield this.#values.shift() as T;
        continue;
      }
      if (this.#done) {
        if (this.#failure !== undefined) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
