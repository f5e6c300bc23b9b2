export { OperationStateTracker, parseOperationState } from './operation-state-tracker.js';
export type { OperationState, OperationStatus, OperationStateTrackerOptions, RecoveryScheduler } from './operation-state-tracker.js';
export { operationStateKey, operationIndexKey } from './operation-state-scripts.js';
export { RecoveryRegistry, defaultRecoveryRegistry, registerRecoveryHandler } from './recovery-registry.js';
export type { RecoverableOperation, RecoveryHandler, RecoveryResult, RecoveryTrigger, StuckOperation } from './recovery-registry.js';
export { RecoveryJob, recoverOperation, checkJobId } from './recovery-job.js';
export type { RecoveryJobOptions, RecoveryStats, RecoveryOutcome, RecoveryEventEmitter } from './recovery-job.js';
export { RECOVERY_AUDIT_COLLECTION, recoveryAuditCollection, findRecoveryAudit } from './recovery-audit.js';
export type { RecoveryAuditRecord } from './recovery-audit.js';
