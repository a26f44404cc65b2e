import type { ComponentChildren } from 'preact';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { DeskContext, type Desk } from '../src/desk-context';

export const desk: Desk = {
  language: 'zh-CN',
  unit: 'yuan',
  programCode: 'sc-pension-contribution-subsidy',
  fiscalYear: 2024,
  asOf: '',
  key: { name: 'aud', role: 'auditor', regions: ['*'] },
  coversProvince: true,
  summary: null,
};

/** Renders into a fresh container of the jsdom document, inside the desk's context. */
export function mount(children: ComponentChildren, context: Partial<Desk> = {}): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  act(() => render(<DeskContext.Provider value={{ ...desk, ...context }}>{children}</DeskContext.Provider>, container));
  return container;
}

export function input(element: HTMLInputElement | HTMLSelectElement, value: string, event: 'input' | 'change' = 'input'): void {
  act(() => {
    element.value = value;
    element.dispatchEvent(new Event(event, { bubbles: true }));
  });
}

export function click(element: Element): void {
  act(() => {
    (element as HTMLElement).click();
  });
}
