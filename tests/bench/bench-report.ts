/**
 * One line of the bench's table: a figure beside its yardstick from the same run, their ratio, and
 * whether the aim of issue 8 is met. Timings are reported, never asserted.
 */
export interface BenchRow {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly yardstick: { readonly value: number; readonly unit: string; readonly what: string } | null;
  /** value / yardstick.value. */
  readonly ratio: number | null;
  readonly aim: Aim | null;
  readonly met: boolean | null;
}

export type Aim =
  | { readonly kind: 'ratio-at-least'; readonly ratio: number }
  | { readonly kind: 'at-least'; readonly value: number }
  | { readonly kind: 'below'; readonly value: number };

export function row(
  figure: string,
  value: number,
  unit: string,
  yardstick: BenchRow['yardstick'],
  aim: Aim | null,
): BenchRow {
  const ratio = yardstick && yardstick.value > 0 ? value / yardstick.value : null;
  return { figure, value, unit, yardstick, ratio, aim, met: aim === null ? null : meets(aim, value, ratio) };
}

function meets(aim: Aim, value: number, ratio: number | null): boolean {
  switch (aim.kind) {
    case 'ratio-at-least':
      return ratio !== null && ratio >= aim.ratio;
    case 'at-least':
      return value >= aim.value;
    case 'below':
      return value < aim.value;
    default:
      return assertNever(aim);
  }
}

/** Aims as ratios of a yardstick read as shares (25%), except multiples of one (1.5×). */
function formatRatio(ratio: number, aim: Aim | null): string {
  if (aim?.kind === 'ratio-at-least' && aim.ratio > 1) return `${ratio.toFixed(2)}×`;
  const percent = ratio * 100;
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent).toString()}%`;
}

function formatAim(aim: Aim, unit: string): string {
  switch (aim.kind) {
    case 'ratio-at-least':
      return aim.ratio > 1 ? `≥ ${aim.ratio}×` : `≥ ${Math.round(aim.ratio * 100)}%`;
    case 'at-least':
      return `≥ ${withUnit(aim.value, unit)}`;
    case 'below':
      return `< ${withUnit(aim.value, unit)}`;
    default:
      return assertNever(aim);
  }
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value < 10 ? 2 : 1);
}

/** "1,927/s", "55.9 ms". */
function withUnit(value: number, unit: string): string {
  return unit.startsWith('/') ? `${formatNumber(value)}${unit}` : `${formatNumber(value)} ${unit}`;
}

/** The table as Markdown, ready for the README. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| figure | value | yardstick, same run | ratio | aim | met |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.figure,
        withUnit(r.value, r.unit),
        r.yardstick ? `${withUnit(r.yardstick.value, r.yardstick.unit)}: ${r.yardstick.what}` : '—',
        r.ratio === null ? '—' : formatRatio(r.ratio, r.aim),
        r.aim ? formatAim(r.aim, r.unit) : '—',
        r.met === null ? '—' : r.met ? 'yes' : 'no',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
