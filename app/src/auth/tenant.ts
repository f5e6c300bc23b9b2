/**
 * The tenant this deployment of the app serves. One app build per tenant (its domain, its
 * brand); `VITE_TENANT_ID` sets it, the demo tenant by default.
 */
export const TENANT_ID: string = import.meta.env['VITE_TENANT_ID'] ?? 'demo';
