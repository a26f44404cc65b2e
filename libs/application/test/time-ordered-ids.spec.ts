import { timeOrderedIdGenerator } from '../src/ports';

describe('time-ordered ids (UUID version 7)', () => {
  const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('carry the millisecond first and sort in the order they were made, within a millisecond too', () => {
    let ms = Date.parse('2024-03-01T00:00:00.000Z');
    const ids = timeOrderedIdGenerator(() => ms);
    const made: string[] = [];
    for (let n = 0; n < 5_000; n += 1) {
      if (n % 1_000 === 0) ms += 1;
      made.push(ids.newId());
    }
    expect(made.every((id) => uuidV7.test(id))).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(5_000);
    expect(made[0]!.replace(/-/g, '').slice(0, 12)).toBe((Date.parse('2024-03-01T00:00:00.000Z') + 1).toString(16).padStart(12, '0'));
  });

  it('never goes back when the clock does, nor past 4,096 ids in one millisecond', () => {
    const times = [1_000, 999, 999];
    const ids = timeOrderedIdGenerator(() => times.shift() ?? 1_000);
    const first = ids.newId();
    const second = ids.newId();
    const third = ids.newId();
    expect([first, second, third].sort()).toEqual([first, second, third]);

    const busy = timeOrderedIdGenerator(() => 5_000);
    const many = Array.from({ length: 4_100 }, () => busy.newId());
    expect([...many].sort()).toEqual(many);
    expect(many[4_099]!.replace(/-/g, '').slice(0, 12)).toBe((5_001).toString(16).padStart(12, '0'));
  });

  it('take fresh random bits for every id, across the blocks the bits are drawn in', () => {
    // One millisecond and one counter value per generator: only the random bits tell the ids apart.
    const made = Array.from({ length: 5_000 }, (_, n) => timeOrderedIdGenerator(() => 7_000 + n).newId());
    const randomParts = made.map((id) => id.replace(/-/g, '').slice(16));
    expect(made.every((id) => uuidV7.test(id))).toBe(true);
    expect(new Set(randomParts).size).toBe(5_000);
    // Eight bytes an id, 512 ids a block: ten blocks, and no two ids share even their last 6 bytes.
    expect(new Set(randomParts.map((part) => part.slice(4))).size).toBe(5_000);
  });
});
