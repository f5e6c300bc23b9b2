import { describe, expect, it } from 'vitest';
import { needsRefresh, refreshAt, refreshDelay } from '../../src/auth/refresh-schedule.js';

describe('access tokens are refreshed before they expire', () => {
  it('a 15-minute token is refreshed after three quarters of its life', () => {
    expect(refreshAt(0, 900)).toBe(675_000);
  });

  it('a 60-second token is refreshed 30 s before expiry, not at 45 s', () => {
    expect(refreshAt(1_000, 60)).toBe(31_000);
  });

  it('a token shorter than the margin is refreshed at once', () => {
    expect(refreshDelay(5_000, 20, 5_000)).toBe(0);
  });

  it('the delay counts from now, and is never negative once the moment has passed', () => {
    expect(refreshDelay(0, 900, 600_000)).toBe(75_000);
    expect(refreshDelay(0, 900, 700_000)).toBe(0);
  });

  it('a request made within the last 10 s of a token refreshes first', () => {
    expect(needsRefresh(100_000, 89_000)).toBe(false);
    expect(needsRefresh(100_000, 90_000)).toBe(true);
  });
});
