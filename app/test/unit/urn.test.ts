import { describe, expect, it } from 'vitest';
import { urnLines, urnProblem } from '../../src/admin/urn.js';

describe('permission URNs in the roles editor', () => {
  it.each(['wallet:read:own', '*:*:tenant', 'config:update:tenant', 'user:read:6650f0c2a1', 'notification:read:user@x.io'])('accepts %s', (urn) => {
    expect(urnProblem(urn)).toBeUndefined();
  });

  it.each([
    ['wallet:read', 'wallet:read: needs three parts, resource:action:target'],
    ['wallet::own', 'wallet::own: the action is empty'],
    ['wal*:read:own', 'wal*:read:own: "*" must be the whole resource'],
    ['wallet:re ad:own', 'wallet:re ad:own: the action may use letters, digits and _ - . @ only'],
  ])('refuses %s', (urn, problem) => {
    expect(urnProblem(urn)).toBe(problem);
  });

  it('reads one URN per line, ignoring blanks', () => {
    expect(urnLines(' a:b:c \n\n d:e:f\n')).toEqual(['a:b:c', 'd:e:f']);
  });
});
