import { useState } from 'preact/hooks';
import {
  asOfQuery,
  fundPath,
  getAllPages,
  getBlob,
  getJson,
  type Flag,
  type ProgramSummary,
  type ProgramYear,
  type Region,
  type RegionBalance,
} from '../api';
import { Amount, AmountHeaders, BalanceCells, ErrorNote, Figure, Loading } from '../components';
import { useDesk } from '../desk-context';
import { formatCount, formatPerMille, perMille } from '../money';
import { useLoad } from '../use-api';

export const reportFormats = ['xlsx', 'csv', 'md', 'html'] as const;

export function Overview() {
  const { coversProvince } = useDesk();
  return coversProvince ? <ProvinceOverview /> : <CoveredRegionsOverview />;
}

/** A key covering the province: the program-year's totals, the report, the 市(州). */
function ProvinceOverview() {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const loaded = useLoad(async () => {
    // Left out of the list on that date, the program-year had nothing allocated yet: its totals and
    // balances would be a 404, so they are not asked for and the page says so.
    if (asOf !== '' && (await figuresAsOf(programCode, fiscalYear, asOf)) === null) return null;
    return Promise.all([
      getJson<ProgramYear>(`${fundPath(programCode, fiscalYear)}${asOfQuery(asOf)}`),
      getAllPages<Flag>(`${fundPath(programCode, fiscalYear)}/flags?limit=1000${asOfQuery(asOf, false)}`),
      getJson<Region[]>('/v1/regions'),
      getJson<RegionBalance[]>(`${fundPath(programCode, fiscalYear)}/regions${asOfQuery(asOf)}`),
    ]);
  }, [programCode, fiscalYear, asOf]);
  return (
    <section aria-labelledby="overview-heading">
      <h1 id="overview-heading">{t('overview.heading')}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && loaded.value === null && <p data-testid="no-money-then">{t('overview.nothingAllocatedAsOf', { date: asOf })}</p>}
      {loaded.state === 'ready' && loaded.value !== null && <Totals programYear={loaded.value[0]} flags={loaded.value[1]} />}
      <ReportDownloads />
      {loaded.state === 'ready' && loaded.value !== null && <Cities regions={loaded.value[2]} balances={loaded.value[3]} />}
    </section>
  );
}

/**
 * A key covering some regions only (a 市's, a 区/县's): the API answers it neither the province's
 * totals nor the report, so the overview shows what it may read: GET /v1/programs' figures of the
 * regions it covers (as the books stood on the chosen date, when one is chosen), their flags and
 * each region's balance.
 */
function CoveredRegionsOverview() {
  const { t, programCode, fiscalYear, asOf, key, summary } = useDesk();
  const loaded = useLoad(async () => {
    const figures = asOf === '' ? summary : await figuresAsOf(programCode, fiscalYear, asOf);
    // Left out of the list on that date, the program-year held no money in the key's regions (it may
    // not have existed yet, and its balances would be a 404): there are no balances to ask for.
    const heldNothing = asOf !== '' && figures === null;
    return Promise.all([
      getAllPages<Flag>(`${fundPath(programCode, fiscalYear)}/flags?limit=1000${asOfQuery(asOf, false)}`),
      getJson<Region[]>('/v1/regions'),
      heldNothing ? [] : getJson<RegionBalance[]>(`${fundPath(programCode, fiscalYear)}/regions${asOfQuery(asOf)}`),
      figures,
    ]);
  }, [programCode, fiscalYear, asOf, summary]);
  const nameOf = (regions: readonly Region[]) => new Map(regions.map((region) => [region.code, region.name]));
  return (
    <section aria-labelledby="overview-heading">
      <h1 id="overview-heading">{t('overview.heading')}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && summary !== null && (
        <>
          <p class="program-name">
            {summary.programName} · {summary.fiscalYear}
          </p>
          <p data-testid="key-covers">
            {t('scope.covers', {
              regions: (key?.regions ?? [])
                .map((code) => t('region.heading', { name: nameOf(loaded.value[1]).get(code) ?? code, code }))
                .join(t('list.separator')),
            })}
          </p>
          <h2>{t('scope.figures')}</h2>
          <CoveredFigures figures={loaded.value[3]} />
          <p data-testid="needs-province">
            {t('scope.totalsNeedProvince')}
          </p>
          <FlagCounts flags={loaded.value[0]} />
        </>
      )}
      <section aria-labelledby="report-heading" class="reports">
        <h2 id="report-heading">{t('report.heading')}</h2>
        <p data-testid="report-needs-province">{t('scope.reportNeedsProvince')}</p>
      </section>
      {loaded.state === 'ready' && <CoveredRegions regions={loaded.value[1]} balances={loaded.value[2]} />}
    </section>
  );
}

/**
 * The program-year's entry of GET /v1/programs as the books stood on `asOf`; null where the list
 * leaves it out then. The list is narrowed to it, so that only its fund is replayed for the date
 * (and kept for the page's next calls of the same day).
 */
async function figuresAsOf(programCode: string, fiscalYear: number, asOf: string): Promise<ProgramSummary | null> {
  const only = `programCode=${encodeURIComponent(programCode)}&fiscalYear=${fiscalYear}`;
  const listed = await getJson<ProgramSummary[]>(`/v1/programs?${only}${asOfQuery(asOf, false)}`);
  return listed.find((row) => row.programCode === programCode && row.fiscalYear === fiscalYear) ?? null;
}

/** The figures of the regions a key covers, or, on a date before they received any money, a note saying so. */
function CoveredFigures({ figures }: { figures: ProgramSummary | null }) {
  const { t, asOf } = useDesk();
  if (figures === null) return <p data-testid="no-money-then">{t('scope.noMoneyAsOf', { date: asOf })}</p>;
  return (
    <>
      <dl class="figures" data-testid="totals">
        <Figure label={t('overview.allocated')}>
          <Amount value={figures.allocated} />
        </Figure>
        <Figure label={t('overview.paid')}>
          <Amount value={figures.paid} />
        </Figure>
        <Figure label={t('overview.available')}>
          <Amount value={figures.available} />
        </Figure>
        <Figure label={t('overview.persons')}>{formatCount(figures.beneficiaries)}</Figure>
      </dl>
      <Progress id="paid-progress" label={t('overview.paidProgress')} part={figures.paid} whole={figures.allocated} />
    </>
  );
}

function Progress({ id, label, part, whole }: { id: string; label: string; part: string; whole: string }) {
  const value = perMille(part, whole);
  return (
    <div class="progress">
      <label for={id}>{label}</label>
      <progress id={id} max={1000} value={value} />
      <span>{formatPerMille(value)}</span>
    </div>
  );
}

function Totals({ programYear, flags }: { programYear: ProgramYear; flags: readonly Flag[] }) {
  const { t } = useDesk();
  return (
    <>
      <p class="program-name">
        {programYear.programName} · {programYear.fiscalYear}
      </p>
      <dl class="figures" data-testid="totals">
        <Figure label={t('overview.allocated')}>
          <Amount value={programYear.allocated} />
        </Figure>
        <Figure label={t('overview.passedDown')}>
          <Amount value={programYear.passedDown} />
        </Figure>
        <Figure label={t('overview.paid')}>
          <Amount value={programYear.paid} />
        </Figure>
        <Figure label={t('overview.returned')}>
          <Amount value={programYear.returned} />
        </Figure>
        <Figure label={t('overview.available')}>
          <Amount value={programYear.available} />
        </Figure>
        <Figure label={t('overview.persons')}>{formatCount(programYear.beneficiaries)}</Figure>
        <Figure label={t('overview.regions')}>{formatCount(programYear.regions)}</Figure>
        <Figure label={t('overview.settled')}>{formatCount(programYear.settledRegions)}</Figure>
      </dl>
      <Progress id="paid-progress" label={t('overview.paidProgress')} part={programYear.paid} whole={programYear.allocated} />
      <Progress id="passed-progress" label={t('overview.passedProgress')} part={programYear.passedDown} whole={programYear.allocated} />
      <FlagCounts flags={flags} />
    </>
  );
}

function FlagCounts({ flags }: { flags: readonly Flag[] }) {
  const { t } = useDesk();
  const open = flags.filter((flag) => flag.state === undefined || flag.state !== 'archived');
  const bySeverity = (['critical', 'warning', 'info'] as const).map((severity) => ({
    severity,
    count: open.filter((flag) => flag.severity === severity).length,
  }));
  return (
    <>
      <h2>{t('overview.flagsBySeverity')}</h2>
      <ul class="severity-counts">
        {bySeverity.map(({ severity, count }) => (
          <li key={severity} class={`severity ${severity}`}>
            <a href={`#/flags?severity=${severity}`}>
              {t(`severity.${severity}`)}: <strong>{formatCount(count)}</strong>
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

function ReportDownloads() {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const [failed, setFailed] = useState<unknown>(null);
  const download = async (format: (typeof reportFormats)[number]) => {
    setFailed(null);
    try {
      const { blob, filename } = await getBlob(`${fundPath(programCode, fiscalYear)}/report?format=${format}${asOfQuery(asOf, false)}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename ?? `report-${programCode}-${fiscalYear}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setFailed(error);
    }
  };
  return (
    <section aria-labelledby="report-heading" class="reports">
      <h2 id="report-heading">{t('report.heading')}</h2>
      <div class="buttons">
        {reportFormats.map((format) => (
          <button type="button" key={format} onClick={() => void download(format)}>
            {t('report.download', { format: format.toUpperCase() })}
          </button>
        ))}
      </div>
      {failed !== null && <ErrorNote error={failed} />}
    </section>
  );
}

/** The 市(州) the province funds, each with its own figures and its counties' sum as the API gives them. */
function Cities({ regions, balances }: { regions: readonly Region[]; balances: readonly RegionBalance[] }) {
  const { t } = useDesk();
  const root = regions.find((region) => region.level === 'province');
  const cities = regions.filter((region) => region.parentCode === root?.code && region.level === 'prefecture');
  const balanceOf = new Map(balances.map((balance) => [balance.regionCode, balance]));
  return (
    <section aria-labelledby="cities-heading">
      <h2 id="cities-heading">{t('overview.cities')}</h2>
      <div class="scroll">
        <table data-testid="cities">
          <thead>
            <tr>
              <th scope="col">{t('col.region')}</th>
              <AmountHeaders labels={[t('col.allocated'), t('col.passedDown'), t('col.paid'), t('col.available'), <>{t('tree.subtree')}: {t('col.paid')}</>, <>{t('tree.subtree')}: {t('col.available')}</>]} />
              <th scope="col">{t('col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {cities.map((city) => {
              const balance = balanceOf.get(city.code);
              return (
                <tr key={city.code} data-region={city.code}>
                  <th scope="row">
                    <a href={`#/region/${city.code}`}>{city.name}</a>
                  </th>
                  <BalanceCells
                    balance={balance}
                    amounts={(b) => [b.allocated, b.passedDown, b.paid, b.available, b.children.paid, b.children.available]}
                    columns={7}
                  />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The regions the key covers that hold money of the program-year, each with its own figures. */
function CoveredRegions({ regions, balances }: { regions: readonly Region[]; balances: readonly RegionBalance[] }) {
  const { t } = useDesk();
  const nameOf = new Map(regions.map((region) => [region.code, region.name]));
  return (
    <section aria-labelledby="covered-regions-heading">
      <h2 id="covered-regions-heading">{t('scope.regions')}</h2>
      <div class="scroll">
        <table data-testid="covered-regions">
          <thead>
            <tr>
              <th scope="col">{t('col.region')}</th>
              <th scope="col">{t('col.code')}</th>
              <AmountHeaders labels={[t('col.allocated'), t('col.received'), t('col.passedDown'), t('col.paid'), t('col.available')]} />
              <th scope="col">{t('col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {balances.map((balance) => (
              <tr key={balance.regionCode} data-region={balance.regionCode}>
                <th scope="row">
                  <a href={`#/region/${balance.regionCode}`}>{nameOf.get(balance.regionCode) ?? balance.regionCode}</a>
                </th>
                <td>{balance.regionCode}</td>
                <BalanceCells balance={balance} amounts={(b) => [b.allocated, b.received, b.passedDown, b.paid, b.available]} columns={6} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
