/**
 * Writes from this process, one at a time: the ledger lock serialises writers anyway, and
 * queueing them here spares the lock's polling between requests of the same server. On
 * shutdown, `drain` waits for every write already accepted (nothing is torn).
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number {
    return this.pending;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(job);
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  async drain(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
