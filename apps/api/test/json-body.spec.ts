import { ApplicationError } from '@earmark/application';
import { findJsonFault, maxJsonDepth, parseJsonBody } from '../src/http/json-body';
import { ValidationFailed } from '../src/http/problem.filter';

const json = 'application/json';
const parse = (text: string, contentType = json) => parseJsonBody(Buffer.from(text, 'utf8'), contentType);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function refusal(run: () => unknown): { code: string; errors?: { path: string; message: string }[] } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationFailed) return { code: error.code, errors: error.errors };
    if (error instanceof ApplicationError) return { code: error.code };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('findJsonFault: duplicate keys', () => {
  it('finds a key repeated in the body, naming it', () => {
    expect(findJsonFault('{"amount":"1.00","voucherNo":"V","amount":"1000000.00"}')).toEqual({
      path: 'amount',
      message: 'key "amount" appears twice in one object',
    });
  });

  it('finds one repeated in a line, with the path to it', () => {
    expect(findJsonFault('{"lines":[{"regionCode":"1"},{"regionCode":"2","amount":"1","amount":"2"}]}')?.path).toBe('lines.1.amount');
  });

  it('compares keys as they decode: "\\u0061" is "a"', () => {
    expect(findJsonFault('{"a":1,"\\u0061":2}')?.path).toBe('a');
  });

  it('lets the same key live in sibling and nested objects, and a value equal a key', () => {
    expect(findJsonFault('[{"a":1},{"a":2}]')).toBeNull();
    expect(findJsonFault('{"a":{"a":{"a":1}},"b":"a","c":["a","a"]}')).toBeNull();
  });

  it('reads strings holding quotes, backslashes and braces as strings', () => {
    expect(findJsonFault('{"a":"x\\"y\\\\","b":"{\\"a\\":1}","c":"\\\\\\"","d":"]}"}')).toBeNull();
    expect(findJsonFault('{"a":"\\\\","a":1}')?.path).toBe('a');
  });

  it('echoes a long key only in part', () => {
    const key = 'k'.repeat(10_000);
    expect(findJsonFault(`{"${key}":1,"${key}":2}`)).toEqual({
      path: `${'k'.repeat(100)}…`,
      message: `key "${'k'.repeat(100)}…" appears twice in one object`,
    });
  });
});

describe('findJsonFault: nesting', () => {
  it(`accepts ${maxJsonDepth} levels and refuses one more, naming where`, () => {
    expect(findJsonFault(nested(maxJsonDepth))).toBeNull();
    expect(findJsonFault(`{"reason":${nested(maxJsonDepth)}}`)).toEqual({
      path: `reason${'.0'.repeat(maxJsonDepth - 1)}`,
      message: `objects and arrays may nest at most ${maxJsonDepth} deep`,
    });
  });

  it('refuses 500,000 levels without recursing', () => {
    expect(findJsonFault(nested(500_000))?.message).toBe(`objects and arrays may nest at most ${maxJsonDepth} deep`);
  });
});

describe('findJsonFault: keys that reach a prototype', () => {
  it('refuses __proto__ anywhere and constructor.prototype', () => {
    expect(findJsonFault('{"a":[{"__proto__":{}}]}')).toEqual({ path: 'a.0.__proto__', message: 'a key named __proto__ is refused' });
    expect(findJsonFault('{"constructor":{"prototype":{}}}')?.path).toBe('constructor.prototype');
  });

  it('lets constructor and prototype through on their own', () => {
    expect(findJsonFault('{"constructor":"x","prototype":1,"c":{"constructor":{"name":1}}}')).toBeNull();
  });
});

describe('findJsonFault: strings that are not Unicode text', () => {
  it('finds an unpaired surrogate escape in a value or a key, naming where', () => {
    expect(findJsonFault('{"documentNo":"\\ud800"}')).toEqual({ path: 'documentNo', message: 'a string holds an unpaired surrogate, which is not Unicode text' });
    expect(findJsonFault('{"a":["x","\\udc00y"]}')?.path).toBe('a.1');
    expect(findJsonFault('{"k\\ud800":1}')?.path).toBe('k\\ud800');
  });

  it('lets a paired escape, an escaped backslash before "u" and a character written as itself through', () => {
    expect(findJsonFault('{"a":"\\ud83d\\ude00","b":"\\\\ud800","c":"😀"}')).toBeNull();
  });
});

describe('parseJsonBody', () => {
  it('reads a UTF-8 body, with or without a byte order mark', () => {
    expect(parse('{"documentNo":"川财社〔2024〕2号"}')).toEqual({ documentNo: '川财社〔2024〕2号' });
    expect(parse('\ufeff{"a":1}')).toEqual({ a: 1 });
    expect(parse('{"a":1}', 'application/json; charset="UTF-8"')).toEqual({ a: 1 });
  });

  it('refuses another charset as unsupported-media-type', () => {
    for (const contentType of ['application/json; charset=latin1', 'application/json;charset=utf-16', 'application/json; charset=']) {
      expect([contentType, refusal(() => parse('{}', contentType)).code]).toEqual([contentType, 'unsupported-media-type']);
    }
  });

  it('refuses bytes that are not UTF-8, an empty body and text that is not JSON as malformed-json', () => {
    expect(refusal(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]), json))).toEqual({
      code: 'malformed-json',
      errors: [{ path: '(body)', message: 'the body is not valid UTF-8' }],
    });
    expect(refusal(() => parse('')).errors).toEqual([{ path: '(body)', message: 'the body is empty' }]);
    expect(refusal(() => parse('{"card":"4111 1111 1111 1111",}'))).toEqual({
      code: 'malformed-json',
      errors: [{ path: '(body)', message: 'the body is not valid JSON' }],
    });
  });

  it('refuses duplicate keys and deep nesting as malformed-json', () => {
    expect(refusal(() => parse('{"a":1,"a":2}')).code).toBe('malformed-json');
    expect(refusal(() => parse(nested(3_000))).code).toBe('malformed-json');
  });
});
