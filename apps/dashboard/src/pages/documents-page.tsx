import { asOfQuery, fundPath, getJson, type AllocationDocumentDetail, type PerformanceRow, type ProgramYear, type Region } from '../api';
import { Amount, AmountHeaders, ErrorNote, Loading } from '../components';
import { useDesk } from '../desk-context';
import { formatCount } from '../money';
import { useLoad } from '../use-api';
import { PerformanceTable } from './region-page';

/** The allocation documents as the notice gives them, and the Annex 2 targets per 市(州). */
export function DocumentsPage() {
  const { coversProvince } = useDesk();
  return coversProvince ? <ProvinceDocuments /> : <CoveredTargets />;
}

/**
 * A key covering some regions only: the API answers it no allocation document (each lists the
 * whole province), so the page says so and shows the Annex 2 targets of the regions it covers.
 */
function CoveredTargets() {
  const { t, programCode, fiscalYear } = useDesk();
  const loaded = useLoad(
    () => Promise.all([getJson<PerformanceRow[]>(`${fundPath(programCode, fiscalYear)}/performance`), getJson<Region[]>('/v1/regions')]),
    [programCode, fiscalYear],
  );
  return (
    <section aria-labelledby="documents-heading">
      <h1 id="documents-heading">{t('documents.heading')}</h1>
      <p data-testid="documents-need-province">{t('scope.documentsNeedProvince')}</p>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' && <ErrorNote error={loaded.error} />}
      {loaded.state === 'ready' && <Targets performance={loaded.value[0]} regions={loaded.value[1]} />}
    </section>
  );
}

function ProvinceDocuments() {
  const { t, programCode, fiscalYear, asOf } = useDesk();
  const loaded = useLoad(async () => {
    const programYear = await getJson<ProgramYear>(`${fundPath(programCode, fiscalYear)}${asOfQuery(asOf)}`);
    return Promise.all([
      programYear,
      getJson<PerformanceRow[]>(`${fundPath(programCode, fiscalYear)}/performance`),
      getJson<Region[]>('/v1/regions'),
      Promise.all(
        programYear.documents.map((document) =>
          getJson<AllocationDocumentDetail>(`${fundPath(programCode, fiscalYear)}/documents/${encodeURIComponent(document.documentNo)}`),
        ),
      ),
    ]);
  }, [programCode, fiscalYear, asOf]);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <ErrorNote error={loaded.error} />;
  const [programYear, performance, regions, details] = loaded.value;
  const nameOf = new Map(regions.map((region) => [region.code, region.name]));
  return (
    <section aria-labelledby="documents-heading">
      <h1 id="documents-heading">{t('documents.heading')}</h1>
      <p>{t('documents.subjects', { income: programYear.incomeSubject, expenditure: programYear.expenditureSubject })}</p>
      <table data-testid="documents">
        <thead>
          <tr>
            <th scope="col">{t('documents.documentNo')}</th>
            <th scope="col">{t('documents.issuedOn')}</th>
            <th scope="col">{t('documents.kind')}</th>
            <th scope="col">{t('documents.title')}</th>
            <th scope="col">{t('documents.issuer')}</th>
            <AmountHeaders labels={[t('documents.lines'), t('documents.total')]} />
          </tr>
        </thead>
        <tbody>
          {programYear.documents.map((document) => (
            <tr key={document.documentNo}>
              <th scope="row">{document.documentNo}</th>
              <td>{document.issuedOn}</td>
              <td>{t(`kind.${document.kind}`)}</td>
              <td>{document.title}</td>
              <td>{nameOf.get(document.issuerRegionCode) ?? document.issuerRegionCode}</td>
              <td class="num">{formatCount(document.lines)}</td>
              <td class="num">
                <Amount value={document.total} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {details.map((detail) => (
        <details key={detail.documentNo} class="document-lines">
          <summary>{t('documents.linesOf', { documentNo: detail.documentNo, count: formatCount(detail.lines.length) })}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('col.code')}</th>
                <th scope="col">{t('col.region')}</th>
                <AmountHeaders labels={[t('documents.total')]} />
              </tr>
            </thead>
            <tbody>
              {detail.lines.map((line) => (
                <tr key={line.regionCode}>
                  <td>{line.regionCode}</td>
                  <th scope="row">
                    <a href={`#/region/${line.regionCode}`}>{line.regionName || line.regionCode}</a>
                  </th>
                  <td class="num">
                    <Amount value={line.amount} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      <Targets performance={performance} regions={regions} />
    </section>
  );
}

/** Annex 2: the targets per 市(州), as the API gives them to the key. */
function Targets({ performance, regions }: { performance: readonly PerformanceRow[]; regions: readonly Region[] }) {
  const { t } = useDesk();
  const nameOf = new Map(regions.map((region) => [region.code, region.name]));
  const targetRegions = [...new Set(performance.map((row) => row.regionCode))];
  return (
    <>
      <h2>{t('documents.targets')}</h2>
      {targetRegions.map((code) => (
        <section key={code} aria-labelledby={`targets-${code}`}>
          <h3 id={`targets-${code}`}>
            <a href={`#/region/${code}`}>{nameOf.get(code) ?? code}</a> ({code})
          </h3>
          <PerformanceTable rows={performance.filter((row) => row.regionCode === code)} />
        </section>
      ))}
    </>
  );
}
