export type { AuditActor, AuditCategory, AuditChainHeadDocument, AuditEntryDocument, AuditEvent, AuditOutcome, AuditResource } from './audit-entry.js';
export { AUDIT_CHAIN_HEADS_COLLECTION, AUDIT_GENESIS_HASH, AUDIT_LOG_COLLECTION } from './audit-entry.js';
export { auditEntryHash, canonicalAuditBody } from './audit-hash.js';
export { AuditTrail, ensureAuditIndexes } from './audit-trail.js';
export type { AuditLogFilter, AuditTrailOptions } from './audit-trail.js';
export { AuditSealRaceError, auditTenants, pruneAuditLog, sealPendingAuditEntries, verifyAuditChain } from './audit-chain.js';
export type { AuditChainBreakReason, AuditChainReport } from './audit-chain.js';
export { AuditSealer } from './audit-sealer.js';
export type { AuditSealerOptions } from './audit-sealer.js';
