import { describe, expect, it } from 'vitest';
import { defaultLogFormat } from '../../src/logger/index.js';

describe('log format', () => {
  it('is readable on a developer terminal and JSON for pipes and production', () => {
    expect(defaultLogFormat({ NODE_ENV: 'development' }, true)).toBe('pretty');
    expect(defaultLogFormat({}, true)).toBe('pretty');
    expect(defaultLogFormat({ NODE_ENV: 'development' }, false)).toBe('json');
    expect(defaultLogFormat({ NODE_ENV: 'production' }, true)).toBe('json');
  });

  it('LOG_FORMAT decides when set (npm start asks for pretty when its own output is a terminal)', () => {
    expect(defaultLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(defaultLogFormat({ LOG_FORMAT: 'json', NODE_ENV: 'development' }, true)).toBe('json');
    expect(defaultLogFormat({ LOG_FORMAT: 'fancy' }, false)).toBe('json');
  });
});
