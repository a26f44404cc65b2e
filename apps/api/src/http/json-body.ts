import { ApplicationError } from '@earmark/application';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationFailed } from './problem.filter';

/** Objects and arrays nested deeper than this are refused (API.md: conventions). */
export const maxJsonDepth = 32;

/** Where a body breaks the input rules, as a validation error names it. */
export interface JsonFault {
  readonly path: string;
  readonly message: string;
}

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/** One open object or array: the keys seen so far (objects only) and the member being read. */
interface Frame {
  readonly keys: Set<string> | null;
  member: string | number;
  expectKey: boolean;
}

/** Keys are echoed in answers up to this many characters: a key may be most of a 1 MiB body. */
const maxKeyShownChars = 100;

function shown(key: string | number): string | number {
  return typeof key === 'string' && key.length > maxKeyShownChars ? `${key.slice(0, maxKeyShownChars)}…` : key;
}

function pathOf(frames: readonly Frame[], last?: string): string {
  const parts: (string | number)[] = frames.map((frame) => shown(frame.member));
  if (last !== undefined) parts[parts.length - 1] = shown(last);
  return parts.length === 0 ? '(body)' : parts.join('.');
}

/** The index of the quote closing the string opened at `start`, in text known to be valid JSON. */
function closingQuote(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    at = text.indexOf('"', at);
    if (at < 0) throw new Error('closingQuote called on text that is not valid JSON');
    let backslashes = 0;
    for (let before = at - 1; text.charCodeAt(before) === backslash; before--) backslashes++;
    if (backslashes % 2 === 0) return at;
    at++;
  }
}

/** A surrogate escape (`\ud800`): only escapes can put a lone surrogate into decoded UTF-8. */
const surrogateEscape = /\\u[dD][89a-fA-F]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first duplicate key, nesting deeper than `maxDepth`, prototype-poisoning key or string that
 * is not Unicode text in `text`, which must already be valid JSON (JSON.parse accepted it). One
 * pass, no recursion: JSON.parse keeps the last of two equal keys without a word, so
 * `{"amount":"1.00","amount":"1000000.00"}` would record the second amount while the sender's
 * tooling shows the first.
 */
export function findJsonFault(text: string, maxDepth: number = maxJsonDepth): JsonFault | null {
  const frames: Frame[] = [];
  // Most bodies hold no surrogate escape at all: their strings need not be decoded one by one.
  const checkSurrogates = surrogateEscape.test(text);
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === quote) {
      const end = closingQuote(text, at);
      const top = frames[frames.length - 1];
      const isKey = top !== undefined && top.keys !== null && top.expectKey;
      if (checkSurrogates) {
        const decoded = text.slice(at + 1, end).includes('\\') ? (JSON.parse(text.slice(at, end + 1)) as string) : '';
        // The stores keep text as UTF-8, which cannot hold "\ud800" alone (PostgreSQL refuses it).
        if (loneSurrogate.test(decoded)) {
          const path = isKey ? pathOf(frames, JSON.stringify(decoded).slice(1, -1)) : pathOf(frames);
          return { path, message: 'a string holds an unpaired surrogate, which is not Unicode text' };
        }
      }
      if (isKey) {
        const raw = text.slice(at + 1, end);
        // Escapes spell the same key in other ways ("\u0061" is "a"): compare what they decode to.
        const key = raw.includes('\\') ? (JSON.parse(text.slice(at, end + 1)) as string) : raw;
        if (top.keys.has(key)) return { path: pathOf(frames, key), message: `key ${JSON.stringify(shown(key))} appears twice in one object` };
        // The keys secure-json-parse refuses: merged into an object, they would reach its prototype.
        const parent = frames[frames.length - 2];
        if (key === '__proto__' || (key === 'prototype' && parent?.keys != null && parent.member === 'constructor')) {
          return { path: pathOf(frames, key), message: `a key named ${key} is refused` };
        }
        top.keys.add(key);
        top.member = key;
        top.expectKey = false;
      }
      at = end;
    } else if (code === openBrace || code === openBracket) {
      if (frames.length >= maxDepth) return { path: pathOf(frames), message: `objects and arrays may nest at most ${maxDepth} deep` };
      frames.push(code === openBrace ? { keys: new Set(), member: '', expectKey: true } : { keys: null, member: 0, expectKey: false });
    } else if (code === closeBrace || code === closeBracket) {
      frames.pop();
    } else if (code === comma) {
      const top = frames[frames.length - 1];
      if (top.keys === null) top.member = (top.member as number) + 1;
      else top.expectKey = true;
    }
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The charset parameters of a Content-Type header, lower-cased and unquoted. */
function charsetsOf(contentType: string): string[] {
  return contentType
    .split(';')
    .slice(1)
    .map((parameter) => parameter.split('='))
    .filter(([name]) => name.trim().toLowerCase() === 'charset')
    .map(([, value = '']) => value.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
}

/**
 * A request body as the API reads it: UTF-8, valid JSON, no duplicate keys, at most
 * `maxJsonDepth` deep. Anything else is refused before a guard, a pipe or a handler sees it.
 */
export function parseJsonBody(body: Buffer, contentType: string): unknown {
  if (charsetsOf(contentType).some((charset) => charset !== 'utf-8' && charset !== 'utf8')) {
    throw new ApplicationError('unsupported-media-type', 'send bodies as Content-Type: application/json in UTF-8');
  }
  if (body.length === 0) throw new ValidationFailed([{ path: '(body)', message: 'the body is empty' }], 'malformed-json');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ValidationFailed([{ path: '(body)', message: 'the body is not valid UTF-8' }], 'malformed-json');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the body: it stays out of the answer.
    throw new ValidationFailed([{ path: '(body)', message: 'the body is not valid JSON' }], 'malformed-json');
  }
  const fault = findJsonFault(text);
  if (fault) throw new ValidationFailed([fault], 'malformed-json');
  return value;
}

/**
 * Makes `parseJsonBody` the only body parser of the instance: any other content type is a 415
 * (Fastify's answer when no parser matches), whatever route it is sent to.
 */
export function useJsonBodyParser(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => {
      try {
        done(null, parseJsonBody(body, request.headers['content-type'] ?? ''));
      } catch (error) {
        done(error as Error);
      }
    },
  );
}
