/**
 * The bytes an event's chain hash covers, rearranged from the export line it was read from
 * instead of rebuilt from the parsed event: the line is JSON.stringify's output, whose strings and
 * numbers are already spelled as RFC 8785 spells them, so canonical JSON is the line's own tokens
 * with every object's members in key order and the top-level `hash` left out. Building it from
 * the parsed values costs three times the hashing itself.
 *
 * This is a shortcut, never a second definition: the result is only ever compared with the
 * event's hash, and any mismatch is settled by hashEvent, the one definition. A match means these
 * bytes are the very bytes the ledger hashed (SHA-256 admits no other), and since they are the
 * line's own members, nothing dropped and nothing added but the `hash` member, the line parses to
 * the event they encode. Whatever the shortcut cannot vouch for in one reading (an escape, white
 * space, a number JSON.stringify would spell otherwise, a key outside ASCII, a key twice) makes it
 * give up, and hashEvent decides.
 */

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const minus = 0x2d;
const zero = 0x30;
const nine = 0x39;

/** `"hash"` as the line spells the top-level key the hash does not cover. */
const hashKey = Buffer.from('"hash"', 'latin1');

/** Numbers of more digits may be spelled otherwise by JSON.stringify (1e21, rounding past 2^53). */
const maxIntegerDigits = 15;

/** Why the scan stopped: thrown to unwind the recursion, caught below, never seen outside. */
class NotCanonical extends Error {}
const notCanonical = new NotCanonical();

const nothing = Buffer.alloc(0);
let src: Buffer = nothing;
let end = 0;
let out: Buffer = Buffer.alloc(4096);
let written = 0;

/**
 * The canonical bytes of the event in bytes[start..end) (an export line, without its line break),
 * or null when the shortcut cannot vouch for them. The result is a view of a buffer reused by the
 * next call: hash it before calling again.
 */
export function canonicalBytesOfLine(bytes: Buffer, start = 0, stop = bytes.length): Buffer | null {
  src = bytes;
  end = stop;
  // Canonical bytes are never longer than the line: members are only dropped, never added.
  if (out.length < stop - start) out = Buffer.alloc(Math.max(stop - start, out.length * 2));
  written = 0;
  try {
    if (start >= end || src[start] !== openBrace) return null;
    const event = scanObject(start, true);
    if (event.end !== end) return null;
    writeObject(event);
    return out.subarray(0, written);
  } catch (error) {
    if (error === notCanonical) return null;
    throw error;
  } finally {
    // The line's buffer is not kept past the call.
    src = nothing;
  }
}

/** Writes the value at `at` in canonical form and returns where it ends. */
function writeValue(at: number): number {
  if (at >= end) throw notCanonical;
  const byte = src[at];
  if (byte === openBrace) {
    const object = scanObject(at, false);
    writeObject(object);
    return object.end;
  }
  if (byte === openBracket) return writeArray(at);
  const valueEnd = scalarEnd(at);
  copy(at, valueEnd);
  return valueEnd;
}

/** An object read once: its members' spans in line order, the objects among their values read too. */
interface ScannedObject {
  /** keyStart, keyEnd, valueStart, valueEnd per member; the key spans include the quotes. */
  readonly members: number[];
  /** Per member, its value read as an object, or null for any other value. */
  readonly objects: (ScannedObject | null)[];
  /** Just past the closing brace. */
  readonly end: number;
}

/**
 * Finds an object's members, and within each value that is an object, that object's: every byte
 * is read once here and copied once by writeObject. At the top level the `hash` member is left out.
 */
function scanObject(at: number, topLevel: boolean): ScannedObject {
  const members: number[] = [];
  const objects: (ScannedObject | null)[] = [];
  let next = at + 1;
  if (next < end && src[next] === closeBrace) return { members, objects, end: next + 1 };
  for (;;) {
    if (next >= end || src[next] !== quote) throw notCanonical;
    const keyEnd = keyStringEnd(next);
    if (keyEnd >= end || src[keyEnd] !== colon) throw notCanonical;
    const valueStart = keyEnd + 1;
    const object = valueStart < end && src[valueStart] === openBrace ? scanObject(valueStart, false) : null;
    const valueEnd = object === null ? skipValue(valueStart) : object.end;
    if (!(topLevel && isHashKey(next, keyEnd))) {
      members.push(next, keyEnd, valueStart, valueEnd);
      objects.push(object);
    }
    if (valueEnd >= end) throw notCanonical;
    const separator = src[valueEnd];
    next = valueEnd + 1;
    if (separator === closeBrace) return { members, objects, end: next };
    if (separator !== comma) throw notCanonical;
  }
}

/** The object's members in key order, each value canonical in turn. */
function writeObject(object: ScannedObject): void {
  const { members, objects } = object;
  const order = sortedMembers(members);
  out[written++] = openBrace;
  for (let i = 0; i < order.length; i += 1) {
    const member = order[i];
    if (i > 0) out[written++] = comma;
    copy(members[member], members[member + 1]);
    out[written++] = colon;
    const value = objects[member / memberStride];
    if (value !== null) writeObject(value);
    else if (src[members[member + 2]] === openBracket) writeArray(members[member + 2]);
    else copy(members[member + 2], members[member + 3]);
  }
  out[written++] = closeBrace;
}

function writeArray(at: number): number {
  let next = at + 1;
  out[written++] = openBracket;
  if (next < end && src[next] === closeBracket) {
    out[written++] = closeBracket;
    return next + 1;
  }
  for (let first = true; ; first = false) {
    if (!first) out[written++] = comma;
    const valueEnd = writeValue(next);
    if (valueEnd >= end) throw notCanonical;
    const separator = src[valueEnd];
    next = valueEnd + 1;
    if (separator === closeBracket) break;
    if (separator !== comma) throw notCanonical;
  }
  out[written++] = closeBracket;
  return next;
}

/** Where the value at `at` ends, without writing it. */
function skipValue(at: number): number {
  if (at >= end) throw notCanonical;
  const byte = src[at];
  if (byte === openBrace || byte === openBracket) {
    const close = byte === openBrace ? closeBrace : closeBracket;
    let next = at + 1;
    if (next < end && src[next] === close) return next + 1;
    for (;;) {
      if (byte === openBrace) {
        if (next >= end || src[next] !== quote) throw notCanonical;
        next = keyStringEnd(next);
        if (next >= end || src[next] !== colon) throw notCanonical;
        next += 1;
      }
      next = skipValue(next);
      if (next >= end) throw notCanonical;
      const separator = src[next];
      next += 1;
      if (separator === close) return next;
      if (separator !== comma) throw notCanonical;
    }
  }
  return scalarEnd(at);
}

/** A string, a number, true, false or null, spelled as JSON.stringify spells it. */
function scalarEnd(at: number): number {
  const byte = src[at];
  if (byte === quote) return stringEnd(at);
  if (byte === minus || (byte >= zero && byte <= nine)) return integerEnd(at);
  for (const literal of literals) {
    if (startsWith(at, literal)) return at + literal.length;
  }
  throw notCanonical;
}

const literals = [Buffer.from('true', 'latin1'), Buffer.from('false', 'latin1'), Buffer.from('null', 'latin1')];

/**
 * A string without escapes: with one, the line may spell a character otherwise than JSON.stringify.
 * A control character in it, which JSON.stringify would escape, is let through: those bytes cannot
 * match. A loop, as a native indexOf costs more to call than these short strings cost to walk.
 */
function stringEnd(at: number): number {
  const bytes = src;
  const stop = end;
  for (let next = at + 1; next < stop; next += 1) {
    const byte = bytes[next];
    if (byte === quote) return next + 1;
    if (byte === backslash) throw notCanonical;
  }
  throw notCanonical;
}

/** A key as stringEnd reads strings, and in ASCII, where byte order is the UTF-16 order RFC 8785 sorts by. */
function keyStringEnd(at: number): number {
  const bytes = src;
  const stop = end;
  for (let next = at + 1; next < stop; next += 1) {
    const byte = bytes[next];
    if (byte === quote) return next + 1;
    if (byte === backslash || byte >= 0x80) throw notCanonical;
  }
  throw notCanonical;
}

/** Only integers as JSON.stringify writes them: no -0, no leading zero, no fraction or exponent. */
function integerEnd(at: number): number {
  const bytes = src;
  const stop = end;
  let next = at;
  if (bytes[next] === minus) next += 1;
  const digitsStart = next;
  while (next < stop && bytes[next] >= zero && bytes[next] <= nine) next += 1;
  const digits = next - digitsStart;
  if (digits === 0 || digits > maxIntegerDigits) throw notCanonical;
  if (bytes[digitsStart] === zero && (digits > 1 || digitsStart > at)) throw notCanonical;
  return next;
}

function isHashKey(keyStart: number, keyEnd: number): boolean {
  return keyEnd - keyStart === hashKey.length && startsWith(keyStart, hashKey);
}

function startsWith(at: number, bytes: Uint8Array): boolean {
  if (at + bytes.length > end) return false;
  for (let i = 0; i < bytes.length; i += 1) if (src[at + i] !== bytes[i]) return false;
  return true;
}

/** Numbers per member in ScannedObject.members. */
const memberStride = 4;

/**
 * The members' offsets in `members` (memberStride numbers each) in key order. An object has a dozen
 * members at most, so insertion sort. Two equal keys give up: JSON.parse keeps the last, the hash
 * covers one.
 */
function sortedMembers(members: readonly number[]): number[] {
  const order: number[] = [];
  for (let member = 0; member < members.length; member += memberStride) {
    let slot = order.length;
    order.push(member);
    while (slot > 0) {
      const comparison = compareKeys(members, order[slot - 1], member);
      if (comparison === 0) throw notCanonical;
      if (comparison < 0) break;
      order[slot] = order[slot - 1];
      slot -= 1;
    }
    order[slot] = member;
  }
  return order;
}

/** The keys' bytes between their quotes, compared byte by byte. */
function compareKeys(members: readonly number[], a: number, b: number): number {
  const aStart = members[a] + 1;
  const aEnd = members[a + 1] - 1;
  const bStart = members[b] + 1;
  const bEnd = members[b + 1] - 1;
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  const bytes = src;
  for (let i = 0; i < length; i += 1) {
    const difference = bytes[aStart + i] - bytes[bStart + i];
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/**
 * Byte by byte: Buffer#copy and TypedArray#set cost more to call than these spans cost to walk.
 * The loops here work on locals: the module's variables live in a context the loop would reload.
 */
function copy(from: number, to: number): void {
  const bytes = src;
  const target = out;
  let at = written;
  for (let i = from; i < to; i += 1) target[at++] = bytes[i];
  written = at;
}
