/**
 * Runs a piece of work at most once at a time, and never queues more than one run behind it: a
 * caller who arrives while a run is under way waits for the next run, which starts once this one
 * has ended and which every caller arriving meanwhile shares. Each caller so gets a run that began
 * after it asked (a verification of the log as it stood then, or later), and a burst of callers
 * costs two runs, not one each.
 */
export class CoalescedRuns<T> {
  private running: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly work: () => Promise<T>) {}

  run(): Promise<T> {
    if (this.running === null) return this.start();
    if (this.next === null) {
      this.next = this.running.then(
        () => this.startNext(),
        () => this.startNext(),
      );
    }
    return this.next;
  }

  private startNext(): Promise<T> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<T> {
    const run = Promise.resolve().then(this.work);
    this.running = run;
    const ended = (): void => {
      if (this.running === run) this.running = null;
    };
    run.then(ended, ended);
    return run;
  }
}
