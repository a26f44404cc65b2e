import { Controller, Get, Header, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';
import { dashboardContentSecurityPolicy, dashboardPage } from './dashboard-assets';

/** The operators' and auditors' desk: a front end that reads the API with the user's own token. */
@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  @Public()
  @Redirect('/dashboard', 302)
  root() {
    return undefined;
  }

  @Get('dashboard')
  @Public()
  @Header('content-security-policy', dashboardContentSecurityPolicy)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  dashboard(@Res({ passthrough: true }) reply: FastifyReply) {
    const page = dashboardPage();
    if (page === null) {
      reply.status(503).header('content-type', 'text/plain; charset=utf-8');
      return 'The dashboard is not built: run `npm run build` (npm start builds it when missing).\n';
    }
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache');
    return page;
  }
}
