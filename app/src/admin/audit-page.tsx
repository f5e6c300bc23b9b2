import { NetworkStatus } from '@apollo/client';
import { useLazyQuery, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import type { AuditCategory, AuditOutcome } from '../gql/graphql.js';
import { formatDateTime } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { AUDIT_LOG, VERIFY_AUDIT_CHAIN } from './operations.js';

export function AuditPage() {
  const [category, setCategory] = useState<AuditCategory | ''>('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<AuditOutcome | ''>('');
  const ids = { category: useId(), action: useId(), outcome: useId() };
  const filter = { ...(category ? { category } : {}), ...(action.trim() ? { action: action.trim() } : {}), ...(outcome ? { outcome } : {}) };
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(AUDIT_LOG, { variables: { first: 25, filter }, notifyOnNetworkStatusChange: true, fetchPolicy: 'cache-and-network' });
  const [verify, verification] = useLazyQuery(VERIFY_AUDIT_CHAIN, { fetchPolicy: 'network-only' });
  const edges = data?.auditLog.edges ?? [];
  const report = verification.data?.verifyAuditChain;
  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" className="button secondary" onClick={() => void verify().catch(() => undefined)} disabled={verification.loading}>
          {verification.loading ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      {report ? (
        <Notice kind={report.ok ? 'success' : 'error'}>
          {report.ok
            ? `Chain intact: ${report.checked} entries checked up to #${report.headSeq}${report.pending > 0 ? `, ${report.pending} waiting to be sealed` : ''}.`
            : `Chain broken at #${report.firstBroken?.seq ?? '?'} (${report.firstBroken?.reason ?? 'unknown'}).`}
        </Notice>
      ) : null}
      {verification.error ? <ErrorState error={verification.error} /> : null}
      <div className="filters">
        <div className="field inline">
          <label htmlFor={ids.category}>Category</label>
          <select id={ids.category} value={category} onChange={(event) => setCategory(event.target.value as AuditCategory | '')}>
            <option value="">Any</option>
            <option value="ADMIN">Admin</option>
            <option value="MONEY">Money</option>
            <option value="SECURITY">Security</option>
          </select>
        </div>
        <div className="field inline">
          <label htmlFor={ids.action}>Action (exact, or prefix ending in “.”)</label>
          <input id={ids.action} value={action} onChange={(event) => setAction(event.target.value)} placeholder="config." />
        </div>
        <div className="field inline">
          <label htmlFor={ids.outcome}>Outcome</label>
          <select id={ids.outcome} value={outcome} onChange={(event) => setOutcome(event.target.value as AuditOutcome | '')}>
            <option value="">Any</option>
            <option value="SUCCESS">Success</option>
            <option value="FAILURE">Failure</option>
          </select>
        </div>
        <button type="button" className="button secondary" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
      {!data && networkStatus === NetworkStatus.loading ? <Loading label="Loading the audit log…" /> : null}
      {error && !data ? <ErrorState error={error} retry={() => void refetch()} /> : null}
      {data ? <p className="muted small">{data.auditLog.totalCount} entries</p> : null}
      {data && edges.length === 0 ? <Empty>No entries match.</Empty> : null}
      <ul className="rows audit" aria-label="Audit entries">
        {edges.map(({ node }) => (
          <li key={node.id} className="row audit-entry">
            <div>
              <strong>{node.action}</strong> <span className="tag">{node.category.toLowerCase()}</span>
              {node.outcome === 'FAILURE' ? <span className="tag status-failed">failure</span> : null}
              <div className="small">
                {node.resource.type} <code>{node.resource.id}</code> · by {node.actor.type.toLowerCase()} <code>{node.actor.id ?? '—'}</code> · {node.service}
              </div>
              <div className="muted small">
                {formatDateTime(node.at)} {node.seq !== null && node.seq !== undefined ? `· #${node.seq}` : '· not sealed yet'}
              </div>
              {node.before !== null || node.after !== null || node.data !== null ? (
                <details>
                  <summary>Details</summary>
                  <div className="diff">
                    {node.before !== null ? (
                      <div>
                        <p className="small">Before</p>
                        <pre tabIndex={0} className="json">
                          {JSON.stringify(node.before, null, 2)}
                        </pre>
                      </div>
                    ) : null}
                    {node.after !== null ? (
                      <div>
                        <p className="small">After</p>
                        <pre tabIndex={0} className="json">
                          {JSON.stringify(node.after, null, 2)}
                        </pre>
                      </div>
                    ) : null}
                    {node.data !== null ? (
                      <div>
                        <p className="small">Data</p>
                        <pre tabIndex={0} className="json">
                          {JSON.stringify(node.data, null, 2)}
                        </pre>
                      </div>
                    ) : null}
                  </div>
                </details>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <LoadMore
        hasMore={data?.auditLog.pageInfo.hasNextPage ?? false}
        loading={networkStatus === NetworkStatus.fetchMore}
        onLoadMore={() => void fetchMore({ variables: { after: data?.auditLog.pageInfo.endCursor } })}
      />
    </section>
  );
}
