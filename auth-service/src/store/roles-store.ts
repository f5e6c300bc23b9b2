import type { Collection, Db } from 'mongodb';
import type { RoleInput } from 'core-service/access';
import { DEFAULT_ROLES } from '../domain/default-roles.js';

/**
 * Roles as stored. `tenantId: null` holds the platform defaults; a tenant's own document with
 * the same name overrides the default inside that tenant only.
 */
export interface RoleRecord {
  tenantId: string | null;
  name: string;
  permissions: string[];
  denies: string[];
  inherits: string[];
  updatedAt: Date;
  updatedBy: string | null;
}

export class RolesStore {
  readonly collection: Collection<RoleRecord>;

  constructor(db: Db) {
    this.collection = db.collection<RoleRecord>('roles');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1, name: 1 }, { name: 'tenant_name_unique', unique: true });
  }

  /** Writes the default roles that are missing; never overwrites an edited one. */
  async ensureDefaults(now: Date): Promise<void> {
    await this.collection.bulkWrite(
      DEFAULT_ROLES.map((role) => ({
        updateOne: {
          filter: { tenantId: null, name: role.name },
          update: { $setOnInsert: { ...toRecord(null, role, now, null) } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /** The roles in force in a tenant: defaults, overridden by the tenant's own by name. */
  async listForTenant(tenantId: string): Promise<RoleRecord[]> {
    const records = await this.collection.find({ tenantId: { $in: [null, tenantId] } }, { projection: { _id: 0 } }).toArray();
    const byName = new Map<string, RoleRecord>();
    for (const record of records) if (record.tenantId === null) byName.set(record.name, record);
    for (const record of records) if (record.tenantId !== null) byName.set(record.name, record);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async upsert(tenantId: string | null, input: RoleInput, now: Date, updatedBy: string | null): Promise<RoleRecord> {
    const record = toRecord(tenantId, input, now, updatedBy);
    await this.collection.updateOne({ tenantId, name: input.name }, { $set: record }, { upsert: true });
    return record;
  }
}

function toRecord(tenantId: string | null, role: RoleInput, now: Date, updatedBy: string | null): RoleRecord {
  return {
    tenantId,
    name: role.name,
    permissions: [...(role.permissions ?? [])],
    denies: [...(role.denies ?? [])],
    inherits: [...(role.inherits ?? [])],
    updatedAt: now,
    updatedBy,
  };
}
