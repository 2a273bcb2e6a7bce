/** A single-consumer async queue: producers push, one `for await` drains, `end` finishes or fails it. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  #done = false;
  #error: Error | undefined;
  #failed = false;
  #iterating = false;

  push(item: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  end(error?: Error): void {
    if (this.#done) return;
    this.#done = true;
    if (error !== undefined) {
      this.#failed = true;
      this.#error = error;
    }
    if (this.#waiting && this.#items.length === 0) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (this.#failed) waiting.reject(this.#error);
      else waiting.resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterating) throw new TypeError('This stream can be iterated only once.');
    this.#iterating = true;
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.#done) {
          if (this.#failed) {
            this.#failed = false;
            return Promise.reject(this.#error ?? new Error('The stream failed.'));
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => {
          this.#waiting = { resolve, reject };
        });
      },
      return: () => {
        this.#items = [];
        this.#done = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
