import { useMemo, useState } from 'preact/hooks';
import { asOfQuery, fundPath, getJson, type ProgramYear, type Region, type RegionBalance } from '../api';
import { Amount, AmountCells, AmountHeaders, DirectBadge, ErrorNote, Loading } from '../components';
import { useDesk } from '../desk-context';
import { buildCoveredTrees, buildRegionTree, searchTree, type RegionNode } from '../region-tree';
import { useLoad } from '../use-api';

export function RegionTreePage() {
  const { t, programCode, fiscalYear, asOf, coversProvince, key } = useDesk();
  const loaded = useLoad(
    () =>
      Promise.all([
        getJson<Region[]>('/v1/regions'),
        getJson<RegionBalance[]>(`${fundPath(programCode, fiscalYear)}/regions${asOfQuery(asOf)}`),
        // The province's totals are for a key covering it; any other key sees the regions it covers.
        coversProvince ? getJson<ProgramYear>(`${fundPath(programCode, fiscalYear)}${asOfQuery(asOf)}`) : Promise.resolve(undefined),
      ]),
    [programCode, fiscalYear, asOf, coversProvince],
  );
  return (
    <section aria-labelledby="tree-heading">
      <h1 id="tree-heading">{t('tree.heading')}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && (
        <RegionTree
          regions={loaded.value[0]}
          balances={loaded.value[1]}
          totals={loaded.value[2]}
          coveredBy={coversProvince ? undefined : (key?.regions ?? [])}
        />
      )}
    </section>
  );
}

/** The program-year's totals: the figures of the whole tree, shown on the province's row. */
type Totals = Pick<ProgramYear, 'allocated' | 'paid' | 'available'>;

/**
 * The tree from the province down; for a key that does not cover the province (`coveredBy`: the
 * regions it lists), the trees of the regions it lists, opened.
 */
export function RegionTree({
  regions,
  balances,
  totals,
  coveredBy,
}: {
  regions: readonly Region[];
  balances: readonly RegionBalance[];
  totals?: Totals;
  coveredBy?: readonly string[];
}) {
  const { t } = useDesk();
  const [query, setQuery] = useState('');
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set(coveredBy ?? []));
  const roots = useMemo(() => {
    if (coveredBy) return buildCoveredTrees(regions, balances, coveredBy);
    const root = buildRegionTree(regions, balances);
    return root ? [root] : [];
  }, [regions, balances, coveredBy]);
  const searched = useMemo(() => {
    const found = roots.map((root) => searchTree(root, query));
    return {
      trees: found.map((one) => one.tree).filter((tree): tree is RegionNode => tree !== null),
      open: new Set(found.flatMap((one) => [...one.open])),
    };
  }, [roots, query]);
  // The province's row is the top of its tree; a listed region's rows sit at the 市(州) level.
  const topDepth = coveredBy ? 1 : 0;
  const toggle = (code: string) => {
    const next = new Set(opened);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    setOpened(next);
  };
  const isOpen = (code: string) => opened.has(code) || searched.open.has(code);
  return (
    <>
      <div class="search">
        <label for="tree-search">{t('tree.search')}</label>
        <input id="tree-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
      </div>
      {searched.trees.length === 0 ? (
        <p>{t('tree.noMatch')}</p>
      ) : (
        <table class="tree">
          <thead>
            <tr>
              <th scope="col">{t('col.region')}</th>
              <th scope="col">{t('col.code')}</th>
              <AmountHeaders labels={[t('col.allocated'), t('col.paid'), t('col.available'), <>{t('tree.subtree')}: {t('col.available')}</>]} />
              <th scope="col">{t('col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {searched.trees.map((tree) => (
              <TreeRows key={tree.region.code} node={tree} depth={topDepth} isOpen={isOpen} toggle={toggle} totals={totals} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function TreeRows({
  node,
  depth,
  isOpen,
  toggle,
  totals,
}: {
  node: RegionNode;
  depth: number;
  isOpen: (code: string) => boolean;
  toggle: (code: string) => void;
  totals?: Totals;
}) {
  const { t } = useDesk();
  const { region, balance } = node;
  // The province's own row stays open: its 市(州) are the tree's first level.
  const open = depth === 0 || isOpen(region.code);
  const direct = region.level === 'county' && region.directFromProvince;
  return (
    <>
      <tr class={`level-${depth}${direct ? ' direct' : ''}`} data-region={region.code}>
        <th scope="row" class={`indent-${depth}`}>
          {node.children.length > 0 && depth > 0 ? (
            <button
              type="button"
              class="toggle"
              aria-expanded={open}
              aria-label={t(open ? 'tree.collapse' : 'tree.expand', { name: region.name })}
              onClick={() => toggle(region.code)}
            >
              {open ? '▾' : '▸'}
            </button>
          ) : (
            <span class="toggle-space" aria-hidden="true" />
          )}
          {depth === 0 ? region.name : <a href={`#/region/${region.code}`}>{region.name}</a>}
          {direct && <DirectBadge />}
        </th>
        <td>{region.code}</td>
        {balance ? (
          <>
            <AmountCells values={[balance.allocated, balance.paid, balance.available]} />
            <td class="num">{balance.children.regions > 0 ? <Amount value={balance.children.available} /> : '—'}</td>
            <td>{t(`status.${balance.status}`)}</td>
          </>
        ) : depth === 0 && totals ? (
          <>
            <AmountCells values={[totals.allocated, totals.paid]} />
            <td class="num">—</td>
            <td class="num">
              <Amount value={totals.available} />
            </td>
            <td />
          </>
        ) : (
          <td colSpan={5} class="muted">
            {depth === 0 ? '' : t('tree.noBalance')}
          </td>
        )}
      </tr>
      {open && node.children.map((child) => <TreeRows key={child.region.code} node={child} depth={depth + 1} isOpen={isOpen} toggle={toggle} />)}
    </>
  );
}
