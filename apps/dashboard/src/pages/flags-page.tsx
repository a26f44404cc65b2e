import { useMemo } from 'preact/hooks';
import { asOfQuery, fundPath, getAllPages, getJson, type Flag, type Region } from '../api';
import { ErrorNote, Loading } from '../components';
import { useDesk } from '../desk-context';
import { formatCount } from '../money';
import { matchesSearch } from '../region-tree';
import { useLoad } from '../use-api';

export interface FlagFilter {
  readonly rule: string;
  readonly severity: string;
  readonly region: string;
  /** The handling state, once the API gives flags one (预警 → 处理 → 反馈 → 归档). */
  readonly state: string;
}

export const flagStates = ['raised', 'acknowledged', 'responded', 'archived'] as const;

/** The flags of the day, read-only, filtered by rule, severity and region (name or code). */
export function FlagsPage({ filter, onFilter }: { filter: FlagFilter; onFilter: (filter: FlagFilter) => void }) {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const loaded = useLoad(
    () => Promise.all([getAllPages<Flag>(`${fundPath(programCode, fiscalYear)}/flags?limit=1000${asOfQuery(asOf, false)}`), getJson<Region[]>('/v1/regions')]),
    [programCode, fiscalYear, asOf],
  );
  return (
    <section aria-labelledby="flags-heading">
      <h1 id="flags-heading">{t('flags.heading')}</h1>
      <p>{t('flags.readOnly')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && <FlagList flags={loaded.value[0]} regions={loaded.value[1]} filter={filter} onFilter={onFilter} />}
    </section>
  );
}

export function FlagList({
  flags,
  regions,
  filter,
  onFilter,
}: {
  flags: readonly Flag[];
  regions: readonly Region[];
  filter: FlagFilter;
  onFilter: (filter: FlagFilter) => void;
}) {
  const { t } = useDesk();
  const regionOf = useMemo(() => new Map(regions.map((region) => [region.code, region])), [regions]);
  const rules = [...new Set(flags.map((flag) => flag.rule))].sort();
  const states = flagStates.filter((state) => flags.some((flag) => flag.state === state));
  const shown = flags.filter((flag) => {
    if (filter.rule && flag.rule !== filter.rule) return false;
    if (filter.severity && flag.severity !== filter.severity) return false;
    if (filter.state && flag.state !== filter.state) return false;
    if (filter.region) {
      const region = regionOf.get(flag.regionCode);
      if (!region || !matchesSearch(region, filter.region)) return false;
    }
    return true;
  });
  return (
    <>
      <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="flag-rule">{t('flags.rule')}</label>
          <select id="flag-rule" value={filter.rule} onChange={(event) => onFilter({ ...filter, rule: event.currentTarget.value })}>
            <option value="">{t('flags.all')}</option>
            {rules.map((rule) => (
              <option key={rule} value={rule}>
                {t(`rule.${rule}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="flag-severity">{t('flags.severity')}</label>
          <select
            id="flag-severity"
            value={filter.severity}
            onChange={(event) => onFilter({ ...filter, severity: event.currentTarget.value })}
          >
            <option value="">{t('flags.all')}</option>
            {(['critical', 'warning', 'info'] as const).map((severity) => (
              <option key={severity} value={severity}>
                {t(`severity.${severity}`)}
              </option>
            ))}
          </select>
        </div>
        {states.length > 0 && (
          <div>
            <label for="flag-state">{t('flags.state')}</label>
            <select id="flag-state" value={filter.state} onChange={(event) => onFilter({ ...filter, state: event.currentTarget.value })}>
              <option value="">{t('flags.all')}</option>
              {states.map((state) => (
                <option key={state} value={state}>
                  {t(`state.${state}`)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div>
          <label for="flag-region">{t('flags.regionFilter')}</label>
          <input
            id="flag-region"
            type="search"
            value={filter.region}
            onInput={(event) => onFilter({ ...filter, region: event.currentTarget.value })}
          />
        </div>
      </form>
      <p role="status" data-testid="flag-count">
        {t('flags.count', { count: formatCount(shown.length) })}
      </p>
      {shown.length === 0 ? (
        <p>{t('flags.none')}</p>
      ) : (
        <div class="scroll">
          <table class="flags">
            <thead>
              <tr>
                <th scope="col">{t('flags.severity')}</th>
                <th scope="col">{t('flags.rule')}</th>
                <th scope="col">{t('flags.region')}</th>
                <th scope="col">{t('flags.since')}</th>
                <th scope="col">{t('flags.threshold')}</th>
                <th scope="col">{t('flags.detail')}</th>
                <th scope="col">{t('flags.evidence')}</th>
                {states.length > 0 && <th scope="col">{t('flags.state')}</th>}
              </tr>
            </thead>
            <tbody>
              {shown.map((flag, index) => (
                <tr key={flag.id ?? `${flag.rule}-${flag.regionCode}-${flag.since}-${index}`} data-rule={flag.rule}>
                  <td>
                    <span class={`severity ${flag.severity}`}>{t(`severity.${flag.severity}`)}</span>
                  </td>
                  <td>{t(`rule.${flag.rule}`)}</td>
                  <td>
                    {flag.regionCode ? <a href={`#/region/${flag.regionCode}`}>{regionOf.get(flag.regionCode)?.name ?? flag.regionCode}</a> : '—'}
                  </td>
                  <td>{flag.since}</td>
                  <td>{flag.threshold ?? ''}</td>
                  <td>{flag.detail}</td>
                  <td>{(flag.evidence ?? []).join(', ')}</td>
                  {states.length > 0 && <td>{flag.state ? t(`state.${flag.state}`) : ''}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
