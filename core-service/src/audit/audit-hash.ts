import { createHash } from 'node:crypto';
import { BSON } from 'mongodb';
import { configure } from 'safe-stable-stringify';
import type { AuditEntryDocument } from './audit-entry.js';

const stableStringify = configure({ deterministic: true, circularValue: TypeError, bigint: false });

/**
 * The bytes an entry's hash commits to: every field but the chain's own bookkeeping, as
 * canonical Extended JSON (types kept: a Date and its ISO string hash differently) with keys
 * sorted, so the hash does not depend on the order MongoDB or a driver returns fields in.
 */
export function canonicalAuditBody(entry: AuditEntryDocument): string {
  const { pending: _pending, prevHash: _prevHash, hash: _hash, ...body } = entry;
  const serialized = BSON.EJSON.serialize(body, { relaxed: false });
  const text = stableStringify(serialized);
  if (text === undefined) throw new TypeError('audit entry is not serializable');
  return text;
}

/** `sha256(prevHash ‖ "\n" ‖ canonical body)`, hex. The body includes `seq` and `_id`. */
export function auditEntryHash(entry: AuditEntryDocument, prevHash: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalAuditBody(entry)).digest('hex');
}
