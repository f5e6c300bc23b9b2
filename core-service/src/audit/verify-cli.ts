/**
 * `npm run audit:verify [-- --tenant <id>]`: walks every tenant's audit chain (or one) in
 * `core_service` at MONGO_URI and prints one JSON line per tenant; exits 1 when a link is broken,
 * naming the first one. Read-only: safe against production (use a secondary-tolerant URI).
 */
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { CORE_DATABASE_NAME } from '../database/database-strategy.js';
import { auditTenants, verifyAuditChain } from './audit-chain.js';

const { values } = parseArgs({ options: { tenant: { type: 'string' }, database: { type: 'string', default: CORE_DATABASE_NAME } } });
const client = new MongoClient(process.env['MONGO_URI'] ?? 'mongodb://localhost:27017');
let broken = 0;
try {
  const db = client.db(values.database);
  const tenants = values.tenant !== undefined ? [values.tenant] : await auditTenants(db);
  for (const tenantId of tenants) {
    const report = await verifyAuditChain(db, tenantId);
    if (!report.ok) broken += 1;
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ tenants: tenants.length, broken })}\n`);
} finally {
  await client.close();
}
process.exitCode = broken > 0 ? 1 : 0;
