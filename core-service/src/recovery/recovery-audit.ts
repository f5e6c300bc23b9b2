import type { Collection, Db, ObjectId } from 'mongodb';
import type { RecoveryTrigger } from './recovery-registry.js';

export const RECOVERY_AUDIT_COLLECTION = 'recovery_audit';

/** One recovery attempt on one operation; written whether it succeeded or not. */
export interface RecoveryAuditRecord {
  _id?: ObjectId;
  operationType: string;
  operationId: string;
  /** What the handler did (`reversed`, `resumed`, ...), `recover` when it did not say. */
  action: string;
  /** `nothing_to_do`: the handler found the operation already finished in its own data. */
  result: 'recovered' | 'failed' | 'nothing_to_do';
  trigger: RecoveryTrigger;
  attempt: number;
  correlationId: string;
  tenantId: string | null;
  error?: string;
  details?: Record<string, unknown>;
  timestamp: Date;
}

export function recoveryAuditCollection(db: Db): Collection<RecoveryAuditRecord> {
  return db.collection<RecoveryAuditRecord>(RECOVERY_AUDIT_COLLECTION);
}

/** Audit entries of one operation, oldest first. */
export function findRecoveryAudit(db: Db, operationType: string, operationId: string): Promise<RecoveryAuditRecord[]> {
  return recoveryAuditCollection(db).find({ operationType, operationId }).sort({ timestamp: 1, _id: 1 }).toArray();
}
