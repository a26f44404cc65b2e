import { useState } from 'preact/hooks';
import type { Flag, Region } from '../src/api';
import { act } from 'preact/test-utils';
import { actionsFor, FlagList, type FlagAction, type FlagFilter } from '../src/pages/flags-page';
import { click, input, mount } from './render';

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

describe('the flag list: the handling steps the signed-in role may take', () => {
  const handled: Flag[] = [
    { ...flags[0], id: 'late-pass-down:510100:lot-1', state: 'raised' },
    { ...flags[1], id: 'late-pass-down:510300:lot-2', state: 'responded' },
    { ...flags[2], id: 'refused-attempt:510100:refusal-40', state: 'acknowledged', resolved: true },
  ];
  const buttonsOf = (container: HTMLElement) =>
    [...container.querySelectorAll('tbody tr')].map((row) => [...row.querySelectorAll('button')].map((button) => button.textContent));

  function Acting({ role, onAct }: { role: string; onAct: (flag: Flag, action: FlagAction, note: string) => Promise<void> }) {
    const [filter, setFilter] = useState<FlagFilter>({ rule: '', severity: '', region: '', state: '' });
    return <FlagList flags={handled} regions={regions} filter={filter} onFilter={setFilter} role={role} onAct={onAct} />;
  }

  it('offers an operator 处理 and 反馈 on its steps, an auditor 归档 and 退回重办 on a response, and marks a flag whose cause is gone', () => {
    expect(buttonsOf(mount(<Acting role="operator" onAct={async () => undefined} />))).toEqual([['处理'], [], ['反馈']]);
    expect(buttonsOf(mount(<Acting role="auditor" onAct={async () => undefined} />))).toEqual([[], ['归档', '退回重办'], []]);
    const container = mount(<Acting role="auditor" onAct={async () => undefined} />);
    expect(shown(container)[2]).toBe('严重被拒绝的操作成都市2024-03-01refused40, 41处理 （问题已消除）');
  });

  it('asks for a note before the step, and sends the step with it', async () => {
    const taken: [string | undefined, FlagAction, string][] = [];
    const container = mount(<Acting role="operator" onAct={async (flag, action, note) => void taken.push([flag.id, action, note])} />);
    click(container.querySelector('button[data-action="acknowledge"]')!);
    const note = container.querySelector<HTMLInputElement>('input[id^="flag-note-"]')!;
    expect(container.querySelector(`label[for="${note.id}"]`)!.textContent).toBe('处理说明');
    expect(container.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled).toBe(true);
    input(note, ' 已督促下达 ');
    await act(async () => {
      container.querySelector<HTMLFormElement>('form.flag-note')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(taken).toEqual([['late-pass-down:510100:lot-1', 'acknowledge', '已督促下达']]);
    expect(container.querySelector('form.flag-note')).toBeNull();
  });

  it('names each step as it is taken: 预警 → 处理 → 反馈 → 归档', () => {
    expect(actionsFor('operator', 'raised')).toEqual(['acknowledge']);
    expect(actionsFor('operator', 'acknowledged')).toEqual(['respond']);
    expect(actionsFor('operator', 'responded')).toEqual([]);
    expect(actionsFor('auditor', 'raised')).toEqual([]);
    expect(actionsFor('auditor', 'responded')).toEqual(['archive', 'reopen']);
    expect(actionsFor('auditor', 'archived')).toEqual(['reopen']);
    expect(actionsFor('finance', 'raised')).toEqual([]);
  });
});
