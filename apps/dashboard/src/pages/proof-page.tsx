import { ApiError, getJson, type Checkpoint, type InclusionProof } from '../api';
import { ErrorNote, Figure, Loading } from '../components';
import { useDesk } from '../desk-context';
import { useLoad } from '../use-api';

/** An event's RFC 9162 inclusion proof against the latest signed checkpoint (auditor keys). */
export function ProofPage({ position }: { position: number }) {
  const { t, key, coversProvince } = useDesk();
  // The audit log holds every region's events: an auditor key covering the province reads it.
  if (key !== null && (key.role !== 'auditor' || !coversProvince)) {
    return (
      <section aria-labelledby="proof-heading">
        <h1 id="proof-heading">{t('proof.heading', { position })}</h1>
        <p role="alert" class="error" data-testid="proof-refused">
          {t(key.role !== 'auditor' ? 'error.auditorOnly' : 'scope.proofNeedsProvince')}
        </p>
      </section>
    );
  }
  return <Proof position={position} />;
}

function Proof({ position }: { position: number }) {
  const { t } = useDesk();
  const loaded = useLoad(async () => {
    const checkpoint = await getJson<Checkpoint>('/v1/audit/checkpoints/latest');
    if (position > checkpoint.treeSize) return { checkpoint, proof: null };
    const proof = await getJson<InclusionProof>(`/v1/audit/proofs/inclusion?position=${position}&treeSize=${checkpoint.treeSize}`);
    return { checkpoint, proof };
  }, [position]);
  return (
    <section aria-labelledby="proof-heading">
      <h1 id="proof-heading">{t('proof.heading', { position })}</h1>
      {loaded.state === 'loading' && <Loading />}
      {loaded.state === 'failed' &&
        (loaded.error instanceof ApiError && loaded.error.status === 403 ? (
          <p role="alert" class="error">
            {t('error.auditorOnly')}
          </p>
        ) : (
          <ErrorNote error={loaded.error} />
        ))}
      {loaded.state === 'ready' && loaded.value.proof === null && <p>{t('proof.notYet')}</p>}
      {loaded.state === 'ready' && loaded.value.proof !== null && (
        <>
          <dl class="figures">
            <Figure label={t('proof.leafIndex')}>{loaded.value.proof.leafIndex}</Figure>
            <Figure label={t('proof.treeSize')}>{loaded.value.proof.treeSize}</Figure>
            <Figure label={t('proof.keyId')}>{loaded.value.checkpoint.keyId}</Figure>
          </dl>
          <h2>{t('proof.rootHash')}</h2>
          <p>
            <code>{loaded.value.checkpoint.rootHash}</code>
          </p>
          <h2>{t('proof.hashes')}</h2>
          <ol class="hashes">
            {loaded.value.proof.hashes.map((hash) => (
              <li key={hash}>
                <code>{hash}</code>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
