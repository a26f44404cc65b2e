import { defaultTrailPageSize, maxTrailPageSize, type BooksAt } from '@earmark/application';
import { maxFiscalYear, minFiscalYear } from '@earmark/domain';
import { isCalendarDate, programCodePattern } from './validation';
import { ValidationFailed } from './problem.filter';

const positionPattern = /^[0-9]{1,15}$/;

export function parseFund(programCode: string, fiscalYear: string): { programCode: string; fiscalYear: number } {
  const errors: { path: string; message: string }[] = [];
  if (!programCodePattern.test(programCode)) errors.push({ path: 'programCode', message: 'must match ^[a-z0-9][a-z0-9-]{1,63}$' });
  const year = /^[0-9]{4}$/.test(fiscalYear) ? Number.parseInt(fiscalYear, 10) : NaN;
  if (!(year >= minFiscalYear && year <= maxFiscalYear)) {
    errors.push({ path: 'fiscalYear', message: `must be an integer from ${minFiscalYear} to ${maxFiscalYear}` });
  }
  if (errors.length) throw new ValidationFailed(errors);
  return { programCode, fiscalYear: year };
}

/** ?programCode=&fiscalYear= narrowing a list to one program-year: both or neither. */
export function parseProgramYearFilter(programCode: string | undefined, fiscalYear: string | undefined): { programCode: string; fiscalYear: number } | undefined {
  if (programCode === undefined && fiscalYear === undefined) return undefined;
  // The one left out fails its own check, so the problem names it.
  return parseFund(programCode ?? '', fiscalYear ?? '');
}

export function parseRegionCode(regionCode: string): string {
  if (!/^[0-9]{6}$/.test(regionCode)) throw new ValidationFailed([{ path: 'regionCode', message: 'must be a 6-digit code' }]);
  return regionCode;
}

export function parsePosition(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!positionPattern.test(value)) throw new ValidationFailed([{ path: name, message: 'must be a non-negative integer' }]);
  return BigInt(value);
}

/** ?asOf=YYYY-MM-DD or ?atPosition=N, not both. */
export function parseBooksAt(asOf: string | undefined, atPosition: string | undefined): BooksAt | undefined {
  if (asOf !== undefined && atPosition !== undefined) {
    throw new ValidationFailed([{ path: 'asOf', message: 'give asOf or atPosition, not both' }]);
  }
  if (asOf !== undefined) {
    if (!isCalendarDate(asOf)) throw new ValidationFailed([{ path: 'asOf', message: 'must be a real date written YYYY-MM-DD' }]);
    return { asOf };
  }
  const position = parsePosition('atPosition', atPosition);
  return position === undefined ? undefined : { atPosition: position };
}

/** ?limit= of a trail page: 1 to 10,000 entries, 1,000 unless given. */
export function parseTrailLimit(value: string | undefined): number {
  if (value === undefined) return defaultTrailPageSize;
  const limit = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= maxTrailPageSize)) {
    throw new ValidationFailed([{ path: 'limit', message: `must be a whole number from 1 to ${maxTrailPageSize}` }]);
  }
  return limit;
}
