import { describe, expect, it } from 'vitest';
import { AccessEngine, ACCESS_ERRORS, EmptyUrnSegmentError, InvalidUrnError, isValidUrn, parseUrn } from '../src/index.js';

describe('permission URNs', () => {
  it('parse into resource, action and target with the target kind named', () => {
    expect(parseUrn('wallet:read:own')).toMatchObject({ resource: 'wallet', action: 'read', target: 'own', targetKind: 'own' });
    expect(parseUrn('user:update:tenant').targetKind).toBe('tenant');
    expect(parseUrn('transfer:create:*').targetKind).toBe('any');
    expect(parseUrn('wallet:read:w-123').targetKind).toBe('id');
    expect(parseUrn('*:*:*')).toMatchObject({ resource: '*', action: '*', target: '*' });
  });

  it.each(['wallet', 'wallet:read', 'wallet:read:own:extra', ''])('reject %j, which does not have three segments', (text) => {
    expect(() => parseUrn(text)).toThrow(InvalidUrnError);
  });

  it.each([
    [':read:own', 'resource'],
    ['wallet::own', 'action'],
    ['wallet:read:', 'target'],
  ] as const)('reject %j with an empty-segment error naming the %s segment', (text, segment) => {
    const error = catchError(() => parseUrn(text));
    expect(error).toBeInstanceOf(EmptyUrnSegmentError);
    expect(error).toBeInstanceOf(InvalidUrnError);
    expect((error as EmptyUrnSegmentError).segment).toBe(segment);
    expect((error as EmptyUrnSegmentError).code).toBe(ACCESS_ERRORS.EmptyUrnSegment);
  });

  it('reject a wildcard that is only part of a segment', () => {
    expect(() => parseUrn('wal*:read:own')).toThrow(/whole segment/);
    expect(() => parseUrn('wallet:re*:own')).toThrow(InvalidUrnError);
  });

  it('reject whitespace and separators inside a segment', () => {
    expect(() => parseUrn('wallet:read :own')).toThrow(InvalidUrnError);
    expect(() => parseUrn('wallet:read:a/b')).toThrow(InvalidUrnError);
    expect(isValidUrn('wallet:read:own')).toBe(true);
    expect(isValidUrn('wallet read own')).toBe(false);
  });

  it('are validated when a rule is added, not when it is checked', () => {
    const engine = new AccessEngine();
    expect(() => engine.addRole({ name: 'user', permissions: ['wallet:read'] })).toThrow(InvalidUrnError);
    expect(() => engine.addRole({ name: 'user', denies: ['wallet::own'] })).toThrow(EmptyUrnSegmentError);
    expect(() => engine.grant('u1', 'wallet:read:')).toThrow(EmptyUrnSegmentError);
    expect(() => engine.deny('u1', '*:*')).toThrow(InvalidUrnError);
    expect(engine.getRole('user')).toBeUndefined();
    expect(engine.version).toBe(0);
  });

  it('carry their error code as data', () => {
    expect((catchError(() => parseUrn('a:b')) as InvalidUrnError).code).toBe(ACCESS_ERRORS.InvalidUrn);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
