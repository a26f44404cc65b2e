import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Reader } from '@earmark/application';
import { CurrentReader, Roles } from './auth.guard';

/**
 * Who the token belongs to: its key's name, role and regions (never the token or its hash), so
 * that the desk offers only the steps the key may take (an operator's handling steps, an auditor's
 * archive and reopen).
 */
@ApiTags('queries')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'problem+json unauthenticated' })
@Roles('finance', 'operator', 'auditor')
@Controller('v1')
export class SessionController {
  @Get('session')
  @ApiOperation({ summary: 'The key the token belongs to: name, role and regions' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      required: ['name', 'regions', 'role'],
      properties: {
        name: { type: 'string', example: 'chengdu-operator' },
        regions: { type: 'array', items: { type: 'string' }, example: ['510100'] },
        role: { type: 'string', enum: ['finance', 'operator', 'auditor'] },
      },
    },
  })
  session(@CurrentReader() reader: Reader): { name: string; regions: readonly string[]; role: string } {
    return { name: reader.name, regions: reader.regions, role: reader.role };
  }
}
