import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { findProjectRoot } from '@earmark/runtime';
import { Public } from '../auth/auth.guard';

/** The operators' dashboard: one static page that reads the API with the operator's own token. */
@ApiExcludeController()
@Controller()
export class DashboardController {
  private readonly page = readFileSync(join(findProjectRoot(), 'apps', 'api', 'src', 'dashboard', 'dashboard.html'), 'utf8');

  @Get()
  @Public()
  @Redirect('/dashboard', 302)
  root() {
    return undefined;
  }

  @Get('dashboard')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'")
  dashboard() {
    return this.page;
  }
}
