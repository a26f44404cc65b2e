import type { Region, RegionBalance } from '../src/api';
import { RegionTree } from '../src/pages/region-tree-page';
import { click, input, mount } from './render';

const regions: Region[] = [
  { code: '510000', name: '四川省', shortName: '四川省', level: 'province', parentCode: null, directFromProvince: false },
  { code: '510100', name: '成都市', shortName: '成都市', level: 'prefecture', parentCode: '510000', directFromProvince: true },
  { code: '510104', name: '锦江区', shortName: '锦江区', level: 'county', parentCode: '510100', directFromProvince: false },
  { code: '511400', name: '眉山市', shortName: '眉山市', level: 'prefecture', parentCode: '510000', directFromProvince: true },
  { code: '511421', name: '仁寿县', shortName: '仁寿县', level: 'county', parentCode: '511400', directFromProvince: true },
];

const zero = { allocated: '0.00', received: '0.00', receivedFromReturns: '0.00', passedDown: '0.00', paid: '0.00', returned: '0.00', available: '0.00', beneficiaries: 0 };
const balance = (regionCode: string, allocated: string, children = 0, childrenAvailable = '0.00'): RegionBalance => ({
  ...zero,
  regionCode,
  allocated,
  available: allocated,
  status: 'open',
  settlement: null,
  children: { ...zero, regions: children, available: childrenAvailable },
});
const balances = [balance('510100', '2556600.00', 1, '100000.00'), balance('510104', '100000.00'), balance('511400', '719000.00'), balance('511421', '1234500.00')];

const rowNames = (container: HTMLElement) => [...container.querySelectorAll('tr[data-region]')].map((row) => row.getAttribute('data-region'));

describe('the region tree: 省 → 市(州) → 区/县 from the registry, figures as the API gave them', () => {
  it('shows the 市(州) first, each with its own figures and its regions’ sum from the API', () => {
    const container = mount(<RegionTree regions={regions} balances={balances} />);
    expect(rowNames(container)).toEqual(['510000', '510100', '511400']);
    const chengdu = container.querySelector('tr[data-region="510100"]')!;
    expect([...chengdu.querySelectorAll('td.num')].map((cell) => cell.textContent)).toEqual(['2,556,600.00 元', '0.00 元', '2,556,600.00 元', '100,000.00 元']);
  });

  it('opens a 市 with its button: the 扩权县 listed under it is marked as funded by the province', () => {
    const container = mount(<RegionTree regions={regions} balances={balances} />);
    const toggle = container.querySelector('button[aria-label="展开 眉山市"]')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    click(toggle);
    expect(rowNames(container)).toEqual(['510000', '510100', '511400', '511421']);
    expect(container.querySelector('tr[data-region="511421"] th')!.textContent).toBe('仁寿县省直管（扩权县）');
    expect(container.querySelector('button[aria-label="收起 眉山市"]')!.getAttribute('aria-expanded')).toBe('true');
  });

  it('searches by name or code, opening the matches’ ancestors', () => {
    const container = mount(<RegionTree regions={regions} balances={balances} />);
    input(container.querySelector<HTMLInputElement>('#tree-search')!, '510104');
    expect(rowNames(container)).toEqual(['510000', '510100', '510104']);
    input(container.querySelector<HTMLInputElement>('#tree-search')!, '眉山');
    expect(rowNames(container)).toEqual(['510000', '511400']);
    input(container.querySelector<HTMLInputElement>('#tree-search')!, '不存在');
    expect(container.textContent).toContain('没有匹配的地区');
  });

  it('shows 万元 by moving the point, in English when switched', () => {
    const container = mount(<RegionTree regions={regions} balances={balances} />, { unit: 'wan', language: 'en' });
    const chengdu = container.querySelector('tr[data-region="510100"]')!;
    expect(chengdu.querySelector('td.num')!.textContent).toBe('255.66 10k yuan');
    expect(container.querySelector('label[for="tree-search"]')!.textContent).toBe('Search by name or code');
  });

  it('for a key listing 眉山市 only: 眉山市 opened with the regions it funds, not the province nor its 扩权县 仁寿县', () => {
    const meishan = [...regions, { code: '511402', name: '东坡区', shortName: '东坡区', level: 'county' as const, parentCode: '511400', directFromProvince: false }];
    const container = mount(<RegionTree regions={meishan} balances={[balance('511400', '719000.00')]} coveredBy={['511400']} />, {
      coversProvince: false,
      key: { name: 'op-ms', role: 'operator', regions: ['511400'] },
    });
    expect(rowNames(container)).toEqual(['511400', '511402']);
    expect(container.querySelector('button[aria-label="收起 眉山市"]')!.getAttribute('aria-expanded')).toBe('true');
    expect(container.querySelector('tr[data-region="511402"] td.muted')!.textContent).toBe('无资金');
  });
});
