import { describe, expect, it } from 'vitest';
import { assertProductionDatabase } from '../../src/database/connection.js';
import { getTestMongoClient } from '../../src/testing/index.js';

describe('production guard', () => {
  it('NODE_ENV=production refuses the embedded engine; other environments accept it', async () => {
    const client = await getTestMongoClient();
    await expect(assertProductionDatabase(client, { NODE_ENV: 'production' })).rejects.toThrow(/refuses the embedded development engine/);
    await expect(assertProductionDatabase(client, { NODE_ENV: 'development' })).resolves.toBeUndefined();
  });
});
