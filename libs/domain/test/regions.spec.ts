import { readFileSync } from 'fs';
import { join } from 'path';
import { parseRegionsTsv, RegionRegistry } from '../src';

describe('regions: the shipped registry', () => {
  const tsv = readFileSync(join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv'), 'utf8');
  const registry = new RegionRegistry(parseRegionsTsv(tsv));
  const codes = (name: string, parentCode?: string) => registry.resolveName(name, parentCode).map((r) => r.code);

  it('parses every row with its level, parent and short name', () => {
    expect(registry.all()).toHaveLength(205);
    expect(registry.get('510000')).toEqual({
      code: '510000',
      name: '四川省',
      shortName: '四川省',
      level: 'province',
      parentCode: null,
      directFromProvince: false,
    });
    expect(registry.get('510726')).toEqual({
      code: '510726',
      name: '北川羌族自治县',
      shortName: '北川县',
      level: 'county',
      parentCode: '510700',
      directFromProvince: true,
    });
    expect(registry.all().filter((r) => r.level === 'prefecture')).toHaveLength(21);
    expect(registry.all().filter((r) => r.level === 'county' && r.directFromProvince)).toHaveLength(72);
  });

  it('resolves 市中区 only within its parent: it exists under both 内江 and 乐山', () => {
    expect(codes('市中区')).toEqual(['511002', '511102']);
    expect(codes('市中区', '511000')).toEqual(['511002']);
    expect(codes('市中区', '511100')).toEqual(['511102']);
  });

  it('matches two-character names exactly: 高县 is not 高坪区', () => {
    expect(codes('高县')).toEqual(['511525']);
    expect(codes('荣县')).toEqual(['510321']);
    expect(codes('渠县')).toEqual(['511725']);
    expect(codes('高')).toEqual([]);
  });

  it('resolves the short name a notice uses as well as the full name', () => {
    expect(codes('北川县')).toEqual(['510726']);
    expect(codes('北川羌族自治县')).toEqual(['510726']);
    expect(codes('马边县', '511100')).toEqual(['511133']);
    expect(codes('北 川 县')).toEqual(['510726']);
  });

  it('knows only the current codes (射洪县 510922 became 射洪市 510981)', () => {
    expect(registry.has('510922')).toBe(false);
    expect(registry.has('510981')).toBe(true);
    expect(registry.has('511028')).toBe(false);
    expect(codes('隆昌市')).toEqual(['511083']);
  });

  it('names the direct recipients of the province: the 市(州) and the 扩权县', () => {
    expect(registry.isDirectRecipient('510000', '510100')).toBe(true);
    expect(registry.isDirectRecipient('510000', '510321')).toBe(true);
    expect(registry.isDirectRecipient('510000', '510104')).toBe(false);
    expect(registry.isDirectRecipient('510100', '510104')).toBe(true);
    expect(registry.isDirectRecipient('510100', '510321')).toBe(false);
    expect(registry.isDirectRecipient('519900', '510100')).toBe(false);
  });

  it('allows a pass-down only to a child the province does not pay', () => {
    expect(registry.isPassDownTarget('510100', '510104')).toBe(true);
    expect(registry.isPassDownTarget('510300', '510302')).toBe(true);
    expect(registry.isPassDownTarget('510300', '510321')).toBe(false);
    expect(registry.isPassDownTarget('510100', '510302')).toBe(false);
    expect(registry.isPassDownTarget('510000', '510100')).toBe(false);
  });

  it('sends a return to the province for a region it pays, otherwise to the parent', () => {
    expect(registry.fundingParentOf('510100')).toBe('510000');
    expect(registry.fundingParentOf('510321')).toBe('510000');
    expect(registry.fundingParentOf('510104')).toBe('510100');
    expect(registry.fundingParentOf('510000')).toBeNull();
    expect(registry.fundingParentOf('519900')).toBeNull();
  });

  it('counts a 扩权县 under its 市(州) for performance targets', () => {
    expect(registry.prefectureOf('510321')).toBe('510300');
    expect(registry.prefectureOf('510104')).toBe('510100');
    expect(registry.prefectureOf('510400')).toBe('510400');
    expect(registry.prefectureOf('510000')).toBeNull();
  });

  it('walks the tree', () => {
    expect(registry.provinceOf('510321')?.code).toBe('510000');
    expect(registry.roots()).toEqual(['510000']);
    const panzhihua = registry.childrenOf('510400').map((r) => r.code);
    expect(panzhihua).toEqual(['510402', '510403', '510411', '510421', '510422']);
    expect(registry.childrenOf('510104')).toEqual([]);
  });

  it('refuses a malformed registry', () => {
    const header = 'code\tname\tshort_name\tlevel\tparent_code\tdirect_from_province';
    expect(() => parseRegionsTsv('code\tname\n510000\t四川省')).toThrow('region registry header must be');
    expect(() => parseRegionsTsv(`${header}\n51000\t四川省\t\tprovince\t\t`)).toThrow('registry line 2: bad code "51000"');
    expect(() => parseRegionsTsv(`${header}\n510000\t四川省\t\tstate\t\t`)).toThrow('registry line 2: bad level "state"');
    const twice = parseRegionsTsv(`${header}\n510000\t四川省\t\tprovince\t\t\n510000\t四川省\t\tprovince\t\t`);
    expect(() => new RegionRegistry(twice)).toThrow('region 510000 is listed twice');
    const orphan = parseRegionsTsv(`${header}\n510100\t成都市\t\tprefecture\t510000\tyes`);
    expect(() => new RegionRegistry(orphan)).toThrow('region 510100 names unknown parent 510000');
    expect(parseRegionsTsv(`${header}\r\n510000\t四川省\t\tprovince\t\t\r\n`)[0]?.shortName).toBe('四川省');
  });
});
