import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { GetAllocationDocumentQuery, type Reader } from '@earmark/application';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { ValidationFailed } from '../http/problem.filter';
import { parseFund } from '../http/query-params';

/** Document numbers are text of at most this many characters, without control characters. */
const maxDocumentNoChars = 200;

@ApiTags('queries')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'problem+json validation-failed' })
@ApiResponse({ status: 401, description: 'problem+json' })
@ApiResponse({ status: 403, description: 'problem+json forbidden: not an operator or auditor key covering the funding root' })
@ApiResponse({ status: 404, description: 'problem+json not-found: no such program-year or document' })
@Roles('operator', 'auditor')
@Controller('v1')
export class DocumentsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('programs/:programCode/years/:fiscalYear/documents/:documentNo')
  @ApiOperation({
    summary: 'One allocation document with its lines (regionCode, regionName, amount), as the notice gives them',
    description: 'The document number is percent-encoded in the path, e.g. %E5%B7%9D%E8%B4%A2%E7%A4%BE%E3%80%942024%E3%80%952%E5%8F%B7.',
  })
  getDocument(
    @Param('programCode') programCode: string,
    @Param('fiscalYear') fiscalYear: string,
    @Param('documentNo') documentNo: string,
    @CurrentReader() reader: Reader,
  ) {
    const fund = parseFund(programCode, fiscalYear);
    if (documentNo.length === 0 || documentNo.length > maxDocumentNoChars || /[\u0000-\u001f\u007f-\u009f]/.test(documentNo)) {
      throw new ValidationFailed([{ path: 'documentNo', message: `must be 1 to ${maxDocumentNoChars} characters without control characters` }]);
    }
    return this.queryBus.execute(new GetAllocationDocumentQuery(fund.programCode, fund.fiscalYear, documentNo, reader));
  }
}
