import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { findProjectRoot } from '@earmark/runtime';

/**
 * The desk's front end, built by Vite into dist/dashboard (`npm run build`, or `npm start` when it
 * is missing or stale). Only same-origin scripts, styles and requests: no inline code at all.
 */
export const dashboardContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function dashboardDir(): string {
  return join(findProjectRoot(), 'dist', 'dashboard');
}

/** The page itself, or null when the front end was never built. Read per request: a rebuild shows at once. */
export function dashboardPage(): string | null {
  const index = join(dashboardDir(), 'index.html');
  return existsSync(index) ? readFileSync(index, 'utf8') : null;
}

/** Serves the hashed bundles under /dashboard/assets/; called before the application initialises. */
export function serveDashboardAssets(app: NestFastifyApplication): void {
  app.useStaticAssets({
    root: join(dashboardDir(), 'assets'),
    prefix: '/dashboard/assets/',
    index: false,
    // The files are named by their content's hash: a new build gets new names.
    maxAge: '365d',
    immutable: true,
    setHeaders: (response) => {
      // Typed as a Node response, but @fastify/static 10 hands over Fastify's reply.
      const target = response as unknown as { header?(name: string, value: string): unknown; setHeader(name: string, value: string): unknown };
      const set = (name: string, value: string) => (target.header ? target.header(name, value) : target.setHeader(name, value));
      set('content-security-policy', dashboardContentSecurityPolicy);
      set('x-content-type-options', 'nosniff');
    },
  });
}
