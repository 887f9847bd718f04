// Admission control for teacher requests: at most `concurrency` in flight, and token buckets for
// requests per minute and tokens per minute (each refilled continuously, starting full, so a short
// run is not slowed down at its start). Waiters are served in arrival order.

export interface LimiterOptions {
  concurrency: number;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  now?: () => number;
}

class Bucket {
  private level: number;
  private last: number;
  constructor(readonly perMinute: number, private readonly now: () => number) {
    this.level = perMinute;
    this.last = now();
  }
  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.perMinute, this.level + ((t - this.last) * this.perMinute) / 60_000);
    this.last = t;
  }
  /** Milliseconds until `amount` is available (0: available now). A request larger than the bucket waits for a full one. */
  wait(amount: number): number {
    this.refill();
    const need = Math.min(amount, this.perMinute);
    return this.level >= need ? 0 : Math.ceil(((need - this.level) * 60_000) / this.perMinute);
  }
  take(amount: number): void {
    this.refill();
    this.level -= amount;
  }
  give(amount: number): void {
    this.refill();
    this.level = Math.min(this.perMinute, this.level + amount);
  }
}

interface Waiter {
  tokens: number;
  resolve: (release: Release) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** Call once the request is over, with the tokens it really used (corrects the token bucket). */
export type Release = (actualTokens?: number) => void;

export class RateLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private readonly requests: Bucket | undefined;
  private readonly tokens: Bucket | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LimiterOptions) {
    const now = opts.now ?? Date.now;
    this.requests = opts.requestsPerMinute ? new Bucket(opts.requestsPerMinute, now) : undefined;
    this.tokens = opts.tokensPerMinute ? new Bucket(opts.tokensPerMinute, now) : undefined;
  }

  get inFlight(): number {
    return this.active;
  }

  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        tokens: estimatedTokens,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason);
          this.pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queue.length > 0 && this.active < this.opts.concurrency) {
      const w = this.queue[0]!;
      const delay = Math.max(this.requests?.wait(1) ?? 0, this.tokens?.wait(w.tokens) ?? 0);
      if (delay > 0) {
        this.timer = setTimeout(() => this.pump(), delay);
        return;
      }
      this.queue.shift();
      w.signal?.removeEventListener('abort', w.onAbort);
      this.requests?.take(1);
      this.tokens?.take(w.tokens);
      this.active++;
      let released = false;
      w.resolve((actual) => {
        if (released) return;
        released = true;
        this.active--;
        if (actual !== undefined && this.tokens) {
          if (actual < w.tokens) this.tokens.give(w.tokens - actual);
          else this.tokens.take(actual - w.tokens);
        }
        this.pump();
      });
    }
  }
}
