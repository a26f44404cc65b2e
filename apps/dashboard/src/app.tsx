import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { ApiError, getJson, session, type ProgramSummary, type Region, type SessionKey } from './api';
import { DeskContext, useDesk, type Desk } from './desk-context';
import { translate, type Language } from './messages';
import type { MoneyUnit } from './money';
import { DocumentsPage } from './pages/documents-page';
import { FlagsPage, type FlagFilter } from './pages/flags-page';
import { Overview } from './pages/overview';
import { ProofPage } from './pages/proof-page';
import { RegionPage } from './pages/region-page';
import { RegionTreePage } from './pages/region-tree-page';

export type Route =
  | { page: 'overview' }
  | { page: 'tree' }
  | { page: 'region'; code: string }
  | { page: 'documents' }
  | { page: 'flags'; filter: FlagFilter }
  | { page: 'proof'; position: number };

/** `#/region/510100`, `#/flags?severity=warning`, …; anything else is the overview. */
export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'tree') return { page: 'tree' };
  if (parts[0] === 'documents') return { page: 'documents' };
  if (parts[0] === 'region' && /^[0-9]{6}$/.test(parts[1] ?? '')) return { page: 'region', code: parts[1] };
  if (parts[0] === 'proof' && /^[0-9]{1,15}$/.test(parts[1] ?? '')) return { page: 'proof', position: Number(parts[1]) };
  if (parts[0] === 'flags') {
    const filter = { rule: params.get('rule') ?? '', severity: params.get('severity') ?? '', region: params.get('region') ?? '', state: params.get('state') ?? '' };
    return { page: 'flags', filter };
  }
  return { page: 'overview' };
}

export function flagsHash(filter: FlagFilter): string {
  const params = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== ''));
  const query = params.toString();
  return `#/flags${query ? `?${query}` : ''}`;
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

const languageKey = 'earmark.language';

export function App() {
  const [language, setLanguage] = useState<Language>(() => (sessionStorage.getItem(languageKey) === 'en' ? 'en' : 'zh-CN'));
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  const t = (key: string, values?: Record<string, string | number>) => translate(language, key, values);
  // Before the browser paints: the page's language never lags the words it shows (a screen reader
  // would read English text with Chinese rules for a frame).
  useLayoutEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
    sessionStorage.setItem(languageKey, language);
  }, [language]);
  const switchLanguage = () => setLanguage(language === 'en' ? 'zh-CN' : 'en');
  const languageButton = (
    <button type="button" class="lang" lang={language === 'en' ? 'zh-CN' : 'en'} title={t('lang.switchLabel')} onClick={switchLanguage}>
      {t('lang.switch')}
    </button>
  );
  if (!signedIn) {
    return (
      <DeskContext.Provider value={{ language, unit: 'yuan', programCode: '', fiscalYear: 0, asOf: '', key: null, coversProvince: false, summary: null }}>
        <header class="top">
          <span class="brand">{t('app.title')}</span>
          {languageButton}
        </header>
        <main id="main">
          <Login onSignedIn={() => setSignedIn(true)} />
        </main>
      </DeskContext.Provider>
    );
  }
  return (
    <Desk
      language={language}
      languageButton={languageButton}
      onSignOut={() => {
        session.signOut();
        setSignedIn(false);
      }}
    />
  );
}

/** Checks the token against the API before keeping it: a finance key is told why it cannot read. */
export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useDesk();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem('');
    const candidate = token.trim();
    try {
      await getJson<ProgramSummary[]>('/v1/programs', candidate);
      session.signIn(candidate);
      onSignedIn();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setProblem('login.unauthenticated');
      else if (error instanceof ApiError && error.status === 403) setProblem('login.finance');
      else setProblem('error.generic');
    }
  };
  return (
    <section class="login" aria-labelledby="login-heading">
      <h1 id="login-heading">{t('login.heading')}</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="token">{t('login.token')}</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <p class="hint" id="token-hint">
          {t('login.hint')}
        </p>
        <button type="submit">{t('login.submit')}</button>
      </form>
      {problem && (
        <p class="error" role="alert" data-testid="login-problem">
          {t(problem)}
        </p>
      )}
    </section>
  );
}

function Desk({ language, languageButton, onSignOut }: { language: Language; languageButton: preact.JSX.Element; onSignOut: () => void }) {
  const t = (key: string, values?: Record<string, string | number>) => translate(language, key, values);
  const hash = useHash();
  const route = parseRoute(hash);
  const [unit, setUnit] = useState<MoneyUnit>('yuan');
  const [asOf, setAsOf] = useState('');
  const [programs, setPrograms] = useState<ProgramSummary[] | null>(null);
  const [key, setKey] = useState<SessionKey | null>(null);
  const [coversProvince, setCoversProvince] = useState(false);
  const [programKey, setProgramKey] = useState('');
  const [failed, setFailed] = useState<unknown>(null);
  useEffect(() => {
    Promise.all([getJson<ProgramSummary[]>('/v1/programs'), getJson<SessionKey>('/v1/session'), getJson<Region[]>('/v1/regions')]).then(
      ([list, held, regions]) => {
        setKey(held);
        setCoversProvince(keyCoversProvince(held, regions));
        setPrograms(list);
        if (list.length > 0) setProgramKey(`${list[0].programCode}|${list[0].fiscalYear}`);
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) onSignOut();
        else setFailed(error);
      },
    );
  }, []);
  const [programCode, yearText] = programKey.split('|');
  const summary = programs?.find((program) => `${program.programCode}|${program.fiscalYear}` === programKey) ?? null;
  const desk: Desk = { language, unit, programCode: programCode ?? '', fiscalYear: Number(yearText ?? 0), asOf, key, coversProvince, summary };
  const current = (page: Route['page']) => (route.page === page ? { 'aria-current': 'page' as const } : {});
  return (
    <DeskContext.Provider value={desk}>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        {t('app.skip')}
      </a>
      <header class="top">
        <span class="brand">{t('app.title')}</span>
        <div class="controls">
          {programs !== null && programs.length > 0 && (
            <div>
              <label for="program">{t('program.label')}</label>
              <select id="program" value={programKey} onChange={(event) => setProgramKey(event.currentTarget.value)}>
                {programs.map((program) => (
                  <option key={`${program.programCode}|${program.fiscalYear}`} value={`${program.programCode}|${program.fiscalYear}`}>
                    {program.programName} {program.fiscalYear}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div>
            <label for="as-of">{t('asOf.label')}</label>
            <input id="as-of" type="date" value={asOf} aria-describedby="as-of-hint" onChange={(event) => setAsOf(event.currentTarget.value)} />
            <span id="as-of-hint" class="visually-hidden">
              {t('asOf.hint')}
            </span>
            {asOf && (
              <button type="button" onClick={() => setAsOf('')}>
                {t('asOf.clear')}
              </button>
            )}
          </div>
          <fieldset class="unit">
            <legend>{t('unit.label')}</legend>
            {(['yuan', 'wan'] as const).map((value) => (
              <label key={value}>
                <input type="radio" name="unit" value={value} checked={unit === value} onChange={() => setUnit(value)} />
                {t(value === 'wan' ? 'unit.wan' : 'unit.yuan')}
              </label>
            ))}
          </fieldset>
          {languageButton}
          <button type="button" onClick={onSignOut}>
            {t('login.signOut')}
          </button>
        </div>
      </header>
      <nav class="main-nav" aria-label={t('nav.main')}>
        <a href="#/" {...current('overview')}>
          {t('nav.overview')}
        </a>
        <a href="#/tree" {...current('tree')}>
          {t('nav.tree')}
        </a>
        <a href="#/documents" {...current('documents')}>
          {t('nav.documents')}
        </a>
        <a href="#/flags" {...current('flags')}>
          {t('nav.flags')}
        </a>
      </nav>
      <main id="main" tabIndex={-1}>
        {failed !== null && (
          <p class="error" role="alert">
            {failed instanceof ApiError && failed.status === 403 ? t('login.finance') : t('error.generic')}
          </p>
        )}
        {programs !== null && programs.length === 0 && <p role="status">{t('program.none')}</p>}
        {programs !== null && programKey !== '' && <Page route={route} />}
      </main>
    </DeskContext.Provider>
  );
}

/**
 * Whether the key reads the province's totals, documents and audit log: it lists `*` or a
 * province (a region the registry places under none). The API decides; this only spares the desk
 * asking what it would refuse.
 */
export function keyCoversProvince(key: SessionKey, regions: readonly Region[]): boolean {
  const provinces = new Set(regions.filter((region) => region.parentCode === null).map((region) => region.code));
  return key.regions.some((code) => code === '*' || provinces.has(code));
}

/** A filter change replaces the address (so it can be bookmarked) without a history entry per key. */
function showFlags(filter: FlagFilter): void {
  history.replaceState(null, '', flagsHash(filter));
  dispatchEvent(new HashChangeEvent('hashchange'));
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'tree':
      return <RegionTreePage />;
    case 'region':
      return <RegionPage code={route.code} />;
    case 'documents':
      return <DocumentsPage />;
    case 'flags':
      return <FlagsPage filter={route.filter} onFilter={showFlags} />;
    case 'proof':
      return <ProofPage position={route.position} />;
    default: {
      const unknown: never = route;
      return unknown;
    }
  }
}
