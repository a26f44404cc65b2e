import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isCalendarDate, programCodePattern, regionCodePattern, yuanPattern } from '@earmark/domain';
import { ValidationFailed } from './problem.filter';

export const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,128}$/;
export { isCalendarDate, programCodePattern, regionCodePattern, yuanPattern };

export function IsCalendarDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a real date written YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}

/** Money as a decimal string in 元; a JSON number is refused so that no float ever carries money. */
export function IsYuan(options?: ValidationOptions & { positive?: boolean }) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isYuan',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a decimal string in yuan such as "1000.00"${options?.positive ? ', greater than zero' : ''}`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && yuanPattern.test(value) && (!options?.positive || /[1-9]/.test(value)),
      },
    });
}

/**
 * A field allowed only when `allowed(dto)` holds: present otherwise, it fails with `message`, as
 * `forbidNonWhitelisted` fails a field no DTO declares.
 */
export function OnlyWhen<T extends object>(allowed: (dto: T) => boolean, message: (property: string, dto: T) => string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyWhen',
      target: object.constructor,
      propertyName,
      options: { message: (args) => message(propertyName, args.object as T) },
      validator: { validate: (value: unknown, args) => value === undefined || allowed(args?.object as T) },
    });
}

/**
 * C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates that can
 * make a document number read differently from what is stored.
 */
const unsafeTextPattern = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** A text field (document numbers, vouchers, reasons, titles): 1 to `maxLength` characters, nothing unsafe. */
export function IsText(maxLength: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isText',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be text of 1 to ${maxLength} characters without control characters or bidirectional overrides`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.length >= 1 && value.length <= maxLength && !unsafeTextPattern.test(value),
      },
    });
}

/**
 * The entries of a list that repeat an earlier entry's `field`, as validation errors pointing at
 * the repeated field (`lines.3.regionCode`).
 */
export function repeatedEntries<T>(
  items: readonly T[],
  listName: string,
  field: keyof T & string,
): { path: string; message: string }[] {
  const firstIndex = new Map<unknown, number>();
  const errors: { path: string; message: string }[] = [];
  items.forEach((item, index) => {
    const value = item[field];
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else {
      errors.push({
        path: `${listName}.${index}.${field}`,
        message: `${field} ${String(value)} is already listed at ${listName}.${first}`,
      });
    }
  });
  return errors;
}

function flatten(errors: ValidationError[], prefix = ''): { path: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Shape is checked here, at the edge; rules are the domain's. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(flatten(errors)),
  });
}
