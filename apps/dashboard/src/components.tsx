import type { ComponentChildren } from 'preact';
import { ApiError, type RegionBalance } from './api';
import { useDesk } from './desk-context';

/** An amount from the API in the chosen unit, with the unit after it. */
export function Amount({ value }: { value: string }) {
  const { money, unitLabel } = useDesk();
  return (
    <span class={`amount${value.startsWith('-') ? ' negative' : ''}`} data-amount={value}>
      {money(value)}
      <span class="unit"> {unitLabel}</span>
    </span>
  );
}

/** Table cells of amounts, one a value, right-aligned. */
export function AmountCells({ values }: { values: readonly string[] }) {
  return (
    <>
      {values.map((value, index) => (
        <td key={index} class="num">
          <Amount value={value} />
        </td>
      ))}
    </>
  );
}

/** Column headers of amounts, right-aligned like their cells. */
export function AmountHeaders({ labels }: { labels: readonly ComponentChildren[] }) {
  return (
    <>
      {labels.map((label, index) => (
        <th key={index} scope="col" class="num">
          {label}
        </th>
      ))}
    </>
  );
}

/**
 * A region's amounts and its status, `columns` cells in a row or, for a region that holds no
 * money of the program-year, one muted cell across them.
 */
export function BalanceCells({
  balance,
  amounts,
  columns,
}: {
  balance: RegionBalance | undefined;
  amounts: (balance: RegionBalance) => readonly string[];
  columns: number;
}) {
  const { t } = useDesk();
  if (balance === undefined) {
    return (
      <td colSpan={columns} class="muted">
        {t('tree.noBalance')}
      </td>
    );
  }
  return (
    <>
      <AmountCells values={amounts(balance)} />
      <td>{t(`status.${balance.status}`)}</td>
    </>
  );
}

/** The mark of a 扩权县 (a county funded directly by the province), after its name. */
export function DirectBadge() {
  const { t } = useDesk();
  return (
    <span class="badge" title={t('tree.directTitle')}>
      {t('tree.direct')}
    </span>
  );
}

export function Loading() {
  const { t } = useDesk();
  return (
    <p class="loading" role="status">
      {t('loading')}
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useDesk();
  let text = t('error.generic');
  if (error instanceof ApiError) text = error.status === 403 ? t('error.forbidden') : `${t('error.generic')}: ${error.detail}`;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Figure({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
