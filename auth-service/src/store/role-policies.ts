import { AccessEngine } from 'core-service/access';
import type { RolesStore } from './roles-store.js';

/**
 * One access-engine per tenant, built from the stored roles on first use and kept until a role
 * change invalidates it (locally at once, on other instances through the Redis invalidation).
 * Tokens are minted from it, so a role edit shows in every token issued after the change.
 */
export class RolePolicies {
  private readonly engines = new Map<string, Promise<AccessEngine>>();

  constructor(private readonly roles: RolesStore) {}

  engineFor(tenantId: string): Promise<AccessEngine> {
    let engine = this.engines.get(tenantId);
    if (engine === undefined) {
      engine = this.build(tenantId);
      this.engines.set(tenantId, engine);
      // A failed load must not be cached: the next request tries again.
      engine.catch(() => this.engines.delete(tenantId));
    }
    return engine;
  }

  /** Drops one tenant's engine, or all of them (`null`: a platform default changed). */
  invalidate(tenantId: string | null): void {
    if (tenantId === null) this.engines.clear();
    else this.engines.delete(tenantId);
  }

  private async build(tenantId: string): Promise<AccessEngine> {
    const records = await this.roles.listForTenant(tenantId);
    const engine = new AccessEngine();
    // Parents first: addRole rejects an unknown parent, and stored order is alphabetical.
    const pending = new Map(records.map((r) => [r.name, r]));
    while (pending.size > 0) {
      let progressed = false;
      for (const [name, record] of pending) {
        if (record.inherits.every((parent) => engine.getRole(parent) !== undefined)) {
          engine.addRole({ name, permissions: record.permissions, denies: record.denies, inherits: record.inherits });
          pending.delete(name);
          progressed = true;
        }
      }
      // Unreachable unless the stored roles are inconsistent (a parent deleted by hand).
      if (!progressed) throw new Error(`roles of tenant ${tenantId}: unknown parent or cycle among ${[...pending.keys()].join(', ')}`);
    }
    return engine;
  }
}
