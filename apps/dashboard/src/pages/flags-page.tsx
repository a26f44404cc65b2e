import { useMemo, useState } from 'preact/hooks';
import { ApiError, asOfQuery, fundPath, getAllPages, getJson, postJson, type Flag, type Region, type SessionKey } from '../api';
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

export type FlagAction = 'acknowledge' | 'respond' | 'archive' | 'reopen';

/**
 * The steps a role may take on a flag in a state, as the API decides them: an operator
 * acknowledges (预警 → 处理) and responds (处理 → 反馈), an auditor archives a response (反馈 → 归档)
 * or sends it back (反馈 or 归档 → 预警).
 */
export function actionsFor(role: string | null | undefined, state: string | undefined): FlagAction[] {
  if (role === 'operator') {
    if (state === 'raised') return ['acknowledge'];
    if (state === 'acknowledged') return ['respond'];
  }
  if (role === 'auditor') {
    if (state === 'responded') return ['archive', 'reopen'];
    if (state === 'archived') return ['reopen'];
  }
  return [];
}

/** The flags of the day, filtered by rule, severity, region (name or code) and state, with the steps the key may take. */
export function FlagsPage({ filter, onFilter }: { filter: FlagFilter; onFilter: (filter: FlagFilter) => void }) {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  // Bumped after each step: the list is read again, as the API now gives it.
  const [version, setVersion] = useState(0);
  const loaded = useLoad(
    () =>
      Promise.all([
        getAllPages<Flag>(`${fundPath(programCode, fiscalYear)}/flags?limit=1000${asOfQuery(asOf, false)}`),
        getJson<Region[]>('/v1/regions'),
        getJson<SessionKey>('/v1/session'),
      ]),
    [programCode, fiscalYear, asOf, version],
  );
  const act = async (flag: Flag, action: FlagAction, note: string) => {
    await postJson(`/v1/flags/${encodeURIComponent(flag.id ?? '')}/actions`, { action, note, programCode, fiscalYear });
    setVersion((current) => current + 1);
  };
  return (
    <section aria-labelledby="flags-heading">
      <h1 id="flags-heading">{t('flags.heading')}</h1>
      <p>{t('flags.readOnly')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && (
        <FlagList
          flags={loaded.value[0]}
          regions={loaded.value[1]}
          filter={filter}
          onFilter={onFilter}
          role={loaded.value[2].role}
          onAct={act}
        />
      )}
    </section>
  );
}

/** The state of one flag, and the buttons of the steps the key may take, each asking for a note. */
function FlagState({ flag, role, onAct }: { flag: Flag; role?: string | null; onAct?: (flag: Flag, action: FlagAction, note: string) => Promise<void> }) {
  const { t } = useDesk();
  const [pending, setPending] = useState<FlagAction | null>(null);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const actions = onAct && flag.id ? actionsFor(role, flag.state) : [];
  const noteId = `flag-note-${flag.id ?? ''}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!pending || !onAct) return;
    setBusy(true);
    setProblem('');
    try {
      await onAct(flag, pending, note.trim());
      setPending(null);
      setNote('');
    } catch (error) {
      setProblem(error instanceof ApiError ? `${t('flags.actionFailed')}: ${error.detail}` : t('error.generic'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <span class={`flag-state ${flag.state ?? ''}`} data-testid="flag-state">
        {flag.state ? t(`state.${flag.state}`) : ''}
      </span>
      {flag.resolved && <span class="flag-resolved"> {t('flags.resolved')}</span>}
      {actions.length > 0 && pending === null && (
        <span class="flag-actions">
          {actions.map((action) => (
            <button key={action} type="button" data-action={action} onClick={() => setPending(action)}>
              {t(`action.${action}`)}
            </button>
          ))}
        </span>
      )}
      {pending !== null && (
        <form class="flag-note" onSubmit={(event) => void submit(event)}>
          <label for={noteId}>{t('flags.note', { action: t(`action.${pending}`) })}</label>
          <input id={noteId} required maxLength={500} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          <button type="submit" disabled={busy || note.trim() === ''}>
            {t('flags.submit')}
          </button>
          <button type="button" onClick={() => (setPending(null), setProblem(''))}>
            {t('flags.cancel')}
          </button>
        </form>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}

export function FlagList({
  flags,
  regions,
  filter,
  onFilter,
  role,
  onAct,
}: {
  flags: readonly Flag[];
  regions: readonly Region[];
  filter: FlagFilter;
  onFilter: (filter: FlagFilter) => void;
  /** The signed-in key's role: which steps its buttons offer. */
  role?: string | null;
  /** Takes a step; without it the list is read-only. */
  onAct?: (flag: Flag, action: FlagAction, note: string) => Promise<void>;
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
                <tr key={flag.id ?? `${flag.rule}-${flag.regionCode}-${flag.since}-${index}`} data-rule={flag.rule} data-flag-id={flag.id}>
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
                  {states.length > 0 && (
                    <td>
                      <FlagState flag={flag} role={role} onAct={onAct} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
