import type { Region } from '../src/api';
import { keyCoversProvince } from '../src/app';

const regions: Region[] = [
  { code: '510000', name: '四川省', shortName: '四川省', level: 'province', parentCode: null, directFromProvince: false },
  { code: '510100', name: '成都市', shortName: '成都市', level: 'prefecture', parentCode: '510000', directFromProvince: true },
  { code: '510321', name: '荣县', shortName: '荣县', level: 'county', parentCode: '510300', directFromProvince: true },
];

describe('which keys the desk shows the province’s totals, documents and proofs', () => {
  it('a key listing `*` or the province: the province’s pages', () => {
    expect(keyCoversProvince({ name: 'op', role: 'operator', regions: ['*'] }, regions)).toBe(true);
    expect(keyCoversProvince({ name: 'aud-prov', role: 'auditor', regions: ['510000'] }, regions)).toBe(true);
    expect(keyCoversProvince({ name: 'op-mixed', role: 'operator', regions: ['510100', '510000'] }, regions)).toBe(true);
  });

  it('a key listing a 市 or a 扩权县 only: the regions it covers', () => {
    expect(keyCoversProvince({ name: 'op-cd', role: 'operator', regions: ['510100'] }, regions)).toBe(false);
    expect(keyCoversProvince({ name: 'aud-rx', role: 'auditor', regions: ['510321'] }, regions)).toBe(false);
  });
});
