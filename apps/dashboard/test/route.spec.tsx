import { flagsHash, parseRoute } from '../src/app';

describe('the desk’s addresses: pages and filters in the hash, so they can be bookmarked', () => {
  it('reads each page from the hash, the overview for anything else', () => {
    expect(parseRoute('#/tree')).toEqual({ page: 'tree' });
    expect(parseRoute('#/region/510100')).toEqual({ page: 'region', code: '510100' });
    expect(parseRoute('#/region/5101')).toEqual({ page: 'overview' });
    expect(parseRoute('#/proof/27')).toEqual({ page: 'proof', position: 27 });
    expect(parseRoute('#/documents')).toEqual({ page: 'documents' });
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'overview' });
  });

  it('keeps the flag filters in the hash and reads them back', () => {
    const filter = { rule: 'late-pass-down', severity: '', region: '成都', state: 'raised' };
    const hash = flagsHash(filter);
    expect(hash).toBe('#/flags?rule=late-pass-down&region=%E6%88%90%E9%83%BD&state=raised');
    expect(parseRoute(hash)).toEqual({ page: 'flags', filter });
    expect(flagsHash({ rule: '', severity: '', region: '', state: '' })).toBe('#/flags');
  });
});
