import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApplicationError } from '@earmark/application';
import type { FastifyRequest } from 'fastify';
import type { ApiKey } from '@earmark/runtime';
import { OPS_SETTINGS, type OpsSettings } from './ops-settings';

/** A 429 that tells the client when one more request will be let through. */
export class RateLimited extends ApplicationError {
  constructor(readonly retryAfterSeconds: number, perMinute: number) {
    super('rate-limited', `this key may make ${perMinute} requests a minute; retry after ${retryAfterSeconds} s`);
  }
}

/**
 * A token bucket per key: it holds `perMinute` requests and refills at `perMinute` a minute, so a
 * key may send a burst of that many and then one every 60/perMinute seconds. Buckets are keyed by
 * key name: one per configured key, so their number is bounded by the keys file.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly refillPerMs: number;

  constructor(readonly perMinute: number, private readonly nowMs: () => number = () => performance.now()) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one request from the key's bucket: 0 when allowed, else the whole seconds to wait. */
  take(name: string): number {
    const now = this.nowMs();
    const bucket = this.buckets.get(name) ?? { tokens: this.perMinute, atMs: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.atMs) * this.refillPerMs);
    bucket.atMs = now;
    this.buckets.set(name, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }
}

/**
 * Runs after the AuthGuard, so it limits authenticated keys only: public routes (health, the
 * dashboard page) and refused tokens are not counted. Off unless EARMARK_RATE_LIMIT_PER_MINUTE is set.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets: TokenBuckets | null;

  constructor(@Inject(OPS_SETTINGS) settings: OpsSettings) {
    this.buckets = settings.rateLimitPerMinute === null ? null : new TokenBuckets(settings.rateLimitPerMinute);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.buckets) return true;
    const key = context.switchToHttp().getRequest<FastifyRequest & { apiKey?: ApiKey }>().apiKey;
    if (!key) return true;
    const waitSeconds = this.buckets.take(key.name);
    if (waitSeconds > 0) throw new RateLimited(waitSeconds, this.buckets.perMinute);
    return true;
  }
}
