import { useState } from 'preact/hooks';
import type { Flag, Region } from '../src/api';
import { FlagList, type FlagFilter } from '../src/pages/flags-page';
import { input, mount } from './render';

const regions: Region[] = [
  { code: '510100', name: '成都市', shortName: '成都市', level: 'prefecture', parentCode: '510000', directFromProvince: true },
  { code: '510300', name: '自贡市', shortName: '自贡市', level: 'prefecture', parentCode: '510000', directFromProvince: true },
];
const flags: Flag[] = [
  { rule: 'late-pass-down', regionCode: '510100', severity: 'warning', detail: 'held', since: '2024-02-18', threshold: '30 days', evidence: [1] },
  { rule: 'late-pass-down', regionCode: '510300', severity: 'warning', detail: 'held', since: '2024-02-18', threshold: '30 days', evidence: [1] },
  { rule: 'refused-attempt', regionCode: '510100', severity: 'critical', detail: 'refused', since: '2024-03-01', evidence: [40, 41] },
];

function Harness({ list = flags }: { list?: Flag[] }) {
  const [filter, setFilter] = useState<FlagFilter>({ rule: '', severity: '', region: '', state: '' });
  return <FlagList flags={list} regions={regions} filter={filter} onFilter={setFilter} />;
}

const shown = (container: HTMLElement) => [...container.querySelectorAll('tbody tr')].map((row) => row.textContent);

describe('the flag list: read-only, filtered by rule, severity and region', () => {
  it('lists every flag with its rule, region name, evidence and a count', () => {
    const container = mount(<Harness />);
    expect(container.querySelector('[data-testid="flag-count"]')!.textContent).toBe('共 3 条');
    expect(shown(container)).toEqual([
      '警告资金滞留成都市2024-02-1830 daysheld1',
      '警告资金滞留自贡市2024-02-1830 daysheld1',
      '严重被拒绝的操作成都市2024-03-01refused40, 41',
    ]);
    expect(container.querySelectorAll('button')).toHaveLength(0);
    expect(container.querySelector('#flag-state')).toBeNull();
  });

  it('filters by handling state once the API gives flags one', () => {
    const container = mount(<Harness list={[{ ...flags[0], state: 'raised' }, { ...flags[1], state: 'archived' }]} />);
    const options = [...container.querySelectorAll('#flag-state option')].map((option) => option.textContent);
    expect(options).toEqual(['全部', '预警', '归档']);
    input(container.querySelector<HTMLSelectElement>('#flag-state')!, 'archived', 'change');
    expect(shown(container)).toEqual(['警告资金滞留自贡市2024-02-1830 daysheld1归档']);
  });

  it('narrows by each filter, and by all of them together', () => {
    const container = mount(<Harness />);
    input(container.querySelector<HTMLSelectElement>('#flag-severity')!, 'critical', 'change');
    expect(container.querySelector('[data-testid="flag-count"]')!.textContent).toBe('共 1 条');
    input(container.querySelector<HTMLSelectElement>('#flag-severity')!, '', 'change');
    input(container.querySelector<HTMLSelectElement>('#flag-rule')!, 'late-pass-down', 'change');
    input(container.querySelector<HTMLInputElement>('#flag-region')!, '自贡');
    expect(shown(container)).toEqual(['警告资金滞留自贡市2024-02-1830 daysheld1']);
    input(container.querySelector<HTMLInputElement>('#flag-region')!, '510100');
    input(container.querySelector<HTMLSelectElement>('#flag-severity')!, 'critical', 'change');
    expect(container.textContent).toContain('没有符合条件的预警');
  });
});
