import { useState } from 'preact/hooks';
import { ApiError, asOfQuery, fundPath, getJson, getPage, type PerformanceRow, type Region, type RegionBalance, type TrailEntry } from '../api';
import { Amount, AmountCells, AmountHeaders, BalanceCells, DirectBadge, ErrorNote, Figure, Loading } from '../components';
import { useDesk } from '../desk-context';
import { formatCount } from '../money';
import { useLoad } from '../use-api';

export const trailPageSize = 20;

export function RegionPage({ code }: { code: string }) {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const loaded = useLoad(
    () =>
      Promise.all([
        getJson<RegionBalance>(`${fundPath(programCode, fiscalYear)}/regions/${code}${asOfQuery(asOf)}`),
        getJson<PerformanceRow[]>(`${fundPath(programCode, fiscalYear)}/performance`).catch(() => [] as PerformanceRow[]),
        getJson<Region[]>('/v1/regions'),
        getJson<RegionBalance[]>(`${fundPath(programCode, fiscalYear)}/regions${asOfQuery(asOf)}`),
      ]),
    [programCode, fiscalYear, asOf, code],
  );
  const notCovered = loaded.state === 'failed' && loaded.error instanceof ApiError && loaded.error.status === 403;
  return (
    <section aria-labelledby="region-heading">
      <p>
        <a href="#/tree">{t('region.back')}</a>
      </p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && (
        <>
          <h1 id="region-heading">{code}</h1>
          {notCovered ? (
            <p class="error" role="alert">
              {t('scope.regionNotCovered')}
            </p>
          ) : (
            <ErrorNote error={loaded.error} />
          )}
        </>
      )}
      {loaded.state === 'ready' && (
        <>
          <h1 id="region-heading">{t('region.heading', { name: loaded.value[0].regionName ?? code, code })}</h1>
          <Balance balance={loaded.value[0]} />
          <SubRegions regions={loaded.value[2].filter((region) => region.parentCode === code)} balances={loaded.value[3]} />
          <SettlementView balance={loaded.value[0]} />
          <Performance rows={loaded.value[1].filter((row) => row.regionCode === code)} />
        </>
      )}
      {/* Asked once the balance answered: a region the key does not cover has no trail to show it either. */}
      {(loaded.state === 'ready' || (loaded.state === 'failed' && !notCovered)) && <Trail key={`${code}|${asOf}`} code={code} />}
    </section>
  );
}

function Balance({ balance }: { balance: RegionBalance }) {
  const { t } = useDesk();
  return (
    <section aria-labelledby="balance-heading">
      <h2 id="balance-heading">
        {t('region.balance')} · {t(`status.${balance.status}`)}
      </h2>
      <dl class="figures" data-testid="balance">
        <Figure label={t('col.allocated')}>
          <Amount value={balance.allocated} />
        </Figure>
        <Figure label={t('col.received')}>
          <Amount value={balance.received} />
        </Figure>
        <Figure label={t('region.receivedFromReturns')}>
          <Amount value={balance.receivedFromReturns} />
        </Figure>
        <Figure label={t('col.passedDown')}>
          <Amount value={balance.passedDown} />
        </Figure>
        <Figure label={t('col.paid')}>
          <Amount value={balance.paid} />
        </Figure>
        <Figure label={t('region.returned')}>
          <Amount value={balance.returned} />
        </Figure>
        <Figure label={t('col.available')}>
          <Amount value={balance.available} />
        </Figure>
        <Figure label={t('col.persons')}>{formatCount(balance.beneficiaries)}</Figure>
      </dl>
      {balance.children.regions > 0 && (
        <>
          <h3>{t('region.children', { count: balance.children.regions })}</h3>
          <dl class="figures">
            <Figure label={t('col.received')}>
              <Amount value={balance.children.received} />
            </Figure>
            <Figure label={t('col.paid')}>
              <Amount value={balance.children.paid} />
            </Figure>
            <Figure label={t('col.available')}>
              <Amount value={balance.children.available} />
            </Figure>
            <Figure label={t('col.persons')}>{formatCount(balance.children.beneficiaries)}</Figure>
          </dl>
        </>
      )}
    </section>
  );
}

/** The 区/县 under a 市(州), with their figures as the API gives them; 扩权县 marked. */
function SubRegions({ regions, balances }: { regions: readonly Region[]; balances: readonly RegionBalance[] }) {
  const { t, coversProvince, key } = useDesk();
  if (regions.length === 0) return null;
  const balanceOf = new Map(balances.map((balance) => [balance.regionCode, balance]));
  return (
    <details class="sub-regions">
      <summary>
        <h2>{t('region.subRegions', { count: regions.length })}</h2>
      </summary>
      <div class="scroll">
        <table data-testid="sub-regions">
          <thead>
            <tr>
              <th scope="col">{t('col.region')}</th>
              <th scope="col">{t('col.code')}</th>
              <AmountHeaders labels={[t('col.allocated'), t('col.received'), t('col.paid'), t('col.available')]} />
              <th scope="col">{t('col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {regions.map((region) => {
              const balance = balanceOf.get(region.code);
              return (
                <tr key={region.code} data-region={region.code}>
                  <th scope="row">
                    <a href={`#/region/${region.code}`}>{region.name}</a>
                    {region.directFromProvince && <DirectBadge />}
                  </th>
                  <td>{region.code}</td>
                  {/* A 扩权县 is the province's to fund: a 市's key does not cover it, whatever it holds. */}
                  {!coversProvince && region.directFromProvince && !key?.regions.includes(region.code) ? (
                    <td colSpan={5} class="muted">
                      {t('scope.notCovered')}
                    </td>
                  ) : (
                    <BalanceCells balance={balance} amounts={(b) => [b.allocated, b.received, b.paid, b.available]} columns={5} />
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function SettlementView({ balance }: { balance: RegionBalance }) {
  const { t } = useDesk();
  const settlement = balance.settlement;
  return (
    <section aria-labelledby="settlement-heading">
      <h2 id="settlement-heading">{t('region.settlement')}</h2>
      {settlement === null ? (
        <p>{t('region.notSettled')}</p>
      ) : (
        <dl class="figures" data-testid="settlement">
          <Figure label={t('region.documentNo')}>{settlement.documentNo}</Figure>
          <Figure label={t('region.settledOn')}>{settlement.settledOn}</Figure>
          <Figure label={t('region.entitled')}>
            <Amount value={settlement.entitled} />
          </Figure>
          {settlement.allocated !== undefined && (
            <Figure label={t('region.settledAllocated')}>
              <Amount value={settlement.allocated} />
            </Figure>
          )}
          <Figure label={t('region.adjustment')}>
            <Amount value={settlement.adjustment} />
          </Figure>
          <Figure label={t('region.outstanding')}>
            <Amount value={settlement.outstanding} />
          </Figure>
        </dl>
      )}
    </section>
  );
}

export function Performance({ rows }: { rows: readonly PerformanceRow[] }) {
  const { t } = useDesk();
  return (
    <section aria-labelledby="performance-heading">
      <h2 id="performance-heading">{t('region.performance')}</h2>
      {rows.length === 0 ? <p>{t('region.noPerformance')}</p> : <PerformanceTable rows={rows} />}
    </section>
  );
}

export function PerformanceTable({ rows }: { rows: readonly PerformanceRow[] }) {
  const { t } = useDesk();
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('perf.indicator')}</th>
          <th scope="col">{t('perf.target')}</th>
          <th scope="col">{t('perf.actual')}</th>
          <th scope="col">{t('perf.met')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.regionCode}-${row.indicator}`}>
            <th scope="row">{t(`indicator.${row.indicator}`)}</th>
            <td>{row.target}</td>
            <td>{row.actual ?? '—'}</td>
            <td class={row.met === false ? 'missed' : ''}>{t(row.met === null ? 'perf.unknown' : row.met ? 'perf.yes' : 'perf.no')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The region's trail one page at a time, following the API's `Link: rel="next"`. */
function Trail({ code }: { code: string }) {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const first = `${fundPath(programCode, fiscalYear)}/regions/${code}/trail?limit=${trailPageSize}${asOfQuery(asOf, false)}`;
  // The pages visited so far: going back needs no paging support from the API.
  const [pages, setPages] = useState<string[]>([first]);
  const current = pages[pages.length - 1];
  const loaded = useLoad(() => getPage<TrailEntry>(current), [current]);
  return (
    <section aria-labelledby="trail-heading">
      <h2 id="trail-heading">
        {t('region.trail')} · <span data-testid="trail-page">{t('trail.page', { page: pages.length })}</span>
      </h2>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && (
        <>
          {loaded.value.items.length === 0 ? <p>{t('trail.empty')}</p> : <TrailTable entries={loaded.value.items} />}
          <nav class="pager" aria-label={t('region.trail')}>
            <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
              {t('trail.previous')}
            </button>
            <button
              type="button"
              disabled={loaded.value.next === null}
              onClick={() => loaded.value.next !== null && setPages([...pages, loaded.value.next])}
            >
              {t('trail.next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function TrailTable({ entries }: { entries: readonly TrailEntry[] }) {
  const { t } = useDesk();
  return (
    <div class="scroll">
      <table class="trail">
        <thead>
          <tr>
            <th scope="col">{t('trail.position')}</th>
            <th scope="col">{t('trail.effectiveOn')}</th>
            <th scope="col">{t('trail.type')}</th>
            <AmountHeaders labels={[t('trail.amount'), t('trail.availableAfter')]} />
            <th scope="col">{t('trail.reference')}</th>
            <th scope="col">{t('trail.actor')}</th>
            <th scope="col">{t('trail.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.position} data-position={entry.position}>
              <td>{entry.position}</td>
              <td>{entry.effectiveOn}</td>
              <td>{t(`type.${entry.type}`)}</td>
              <AmountCells values={[entry.amount, entry.availableAfter]} />
              <td>{entry.reference}</td>
              <td>{entry.actor}</td>
              <td class="hash">
                <code>{entry.hash}</code>{' '}
                <a href={`#/proof/${entry.position}`} aria-label={`${t('trail.proof')} ${entry.position}`}>
                  {t('trail.proof')}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
