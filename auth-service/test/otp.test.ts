import { describe, expect, it } from 'vitest';
import { openOtpCode, parseOtpDeliveryKey } from 'core-service';
import { errorCode, eventually, OTP_DELIVERY_KEY, startAuth, uniqueEmail, type AuthHarness } from './support/harness.js';

const REQUEST = `mutation($input: RequestOtpInput!) { requestOtp(input: $input) }`;
const VERIFY = `mutation($input: VerifyOtpInput!) { verifyOtp(input: $input) }`;

async function requestCode(auth: AuthHarness, token: string, purpose: string, userId: string): Promise<string> {
  const before = (await auth.events('auth.otp.requested')).length;
  const res = await auth.gql(REQUEST, { input: { channel: 'EMAIL', purpose } }, { token });
  expect(res.data?.requestOtp).toBe(true);
  // Published by the outbox relay after the transaction committed.
  const event = await eventually(async () => {
    const list = await auth.events('auth.otp.requested');
    return list.length > before ? list[list.length - 1] : undefined;
  });
  expect(event.userId).toBe(userId);
  // The event carries no code in clear, only the code sealed for the deliverer.
  expect(event.data).not.toHaveProperty('code');
  return openOtpCode(event.data.sealedCode, parseOtpDeliveryKey(OTP_DELIVERY_KEY), event.data.otpId);
}

describe('one-time codes', () => {
  it('delivers the code through an outbox event, stores it hashed, verifies it once', async () => {
    const auth = await startAuth();
    const { accessToken, user } = await auth.register(uniqueEmail());
    const code = await requestCode(auth, accessToken, 'email_verification', user.id);
    expect(code).toMatch(/^[0-9]{6}$/);
    const stored = await auth.service.deps.otps.collection.findOne({ userId: user.id });
    expect(JSON.stringify(stored)).not.toContain(`"${code}"`);
    // Nor in the outbox, nor on the stream: the code appears in clear nowhere.
    const outbox = await auth.service.deps.db.collection('outbox').find({ 'events.event.type': 'auth.otp.requested' }).toArray();
    expect(outbox.length).toBeGreaterThan(0);
    expect(JSON.stringify(outbox)).not.toContain(`"${code}"`);
    expect(JSON.stringify(await auth.events('auth.otp.requested'))).not.toContain(`"${code}"`);
    expect((await auth.gql(VERIFY, { input: { purpose: 'email_verification', code } }, { token: accessToken })).data?.verifyOtp).toBe(true);
    expect(errorCode(await auth.gql(VERIFY, { input: { purpose: 'email_verification', code } }, { token: accessToken }))).toBe('MSAuthOtpInvalid');
    const me = await auth.gql(`{ me { emailVerified } }`, {}, { token: accessToken });
    expect(me.data?.me.emailVerified).toBe(true);
  });

  it('expires codes', async () => {
    const auth = await startAuth({ settings: { otp: { ttlSeconds: 60, maxAttempts: 5, length: 6 } } });
    const { accessToken, user } = await auth.register(uniqueEmail());
    const code = await requestCode(auth, accessToken, 'withdrawal', user.id);
    auth.clock.advance(60_001);
    expect(errorCode(await auth.gql(VERIFY, { input: { purpose: 'withdrawal', code } }, { token: accessToken }))).toBe('MSAuthOtpExpired');
  });

  it('limits attempts: after the limit even the right code fails', async () => {
    const auth = await startAuth({ settings: { otp: { ttlSeconds: 300, maxAttempts: 3, length: 6 } } });
    const { accessToken, user } = await auth.register(uniqueEmail());
    const code = await requestCode(auth, accessToken, 'withdrawal', user.id);
    const wrong = code === '000000' ? '111111' : '000000';
    const attemptsLeft: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await auth.gql(VERIFY, { input: { purpose: 'withdrawal', code: wrong } }, { token: accessToken });
      expect(errorCode(res)).toBe('MSAuthOtpInvalid');
      attemptsLeft.push(res.errors?.[0]?.extensions?.['attemptsLeft']);
    }
    expect(attemptsLeft).toEqual([2, 1, 0]);
    expect(errorCode(await auth.gql(VERIFY, { input: { purpose: 'withdrawal', code } }, { token: accessToken }))).toBe('MSAuthOtpAttemptsExceeded');
  });

  it('a new code replaces the previous one for the same purpose', async () => {
    const auth = await startAuth();
    const { accessToken, user } = await auth.register(uniqueEmail());
    const first = await requestCode(auth, accessToken, 'withdrawal', user.id);
    const second = await requestCode(auth, accessToken, 'withdrawal', user.id);
    if (first !== second) {
      expect(errorCode(await auth.gql(VERIFY, { input: { purpose: 'withdrawal', code: first } }, { token: accessToken }))).toBe('MSAuthOtpInvalid');
    }
    expect((await auth.gql(VERIFY, { input: { purpose: 'withdrawal', code: second } }, { token: accessToken })).data?.verifyOtp).toBe(true);
  });

  it('requires a signed-in caller', async () => {
    const auth = await startAuth();
    expect(errorCode(await auth.gql(REQUEST, { input: { channel: 'SMS', purpose: 'withdrawal' } }))).toBe('UNAUTHENTICATED');
  });
});
