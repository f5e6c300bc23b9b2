import type { Collection, Db } from 'mongodb';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: string | null;
}

export class TenantsStore {
  readonly collection: Collection<TenantRecord>;

  constructor(db: Db) {
    this.collection = db.collection<TenantRecord>('tenants');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ id: 1 }, { name: 'id_unique', unique: true });
  }

  findById(id: string): Promise<TenantRecord | null> {
    return this.collection.findOne({ id }, { projection: { _id: 0 } });
  }

  /** Inserts unless it exists; returns whether it was created. */
  async create(record: TenantRecord): Promise<boolean> {
    const result = await this.collection.updateOne({ id: record.id }, { $setOnInsert: record }, { upsert: true });
    return result.upsertedCount === 1;
  }
}
