/**
 * One in-flight run per key: a call for a key whose run has not finished gets that run's promise
 * instead of starting another (two transactions for one round would conflict on the ledger).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.running.get(key);
    if (running) return running;
    const p = start().finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  /** The runs not finished yet (to wait for them on stop). */
  pending(): Promise<T>[] {
    return [...this.running.values()];
  }
}
