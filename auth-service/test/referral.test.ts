import { describe, expect, it } from 'vitest';
import { errorCode, eventually, startAuth, uniqueEmail } from './support/harness.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { id referralCode } } }`;
const PASSWORD = 'a long enough password 2026';

describe('referral codes', () => {
  it('every new user has an own code; registering with it records the inviter in user.registered', async () => {
    const auth = await startAuth();
    const inviter = await auth.gql<any>(REGISTER, { input: { email: uniqueEmail('inviter'), password: PASSWORD, tenantId: auth.tenantId } });
    const code = inviter.data.register.user.referralCode as string;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);

    const invited = await auth.gql<any>(REGISTER, { input: { email: uniqueEmail('invited'), password: PASSWORD, tenantId: auth.tenantId, referralCode: code.toLowerCase() } });
    const invitedId = invited.data.register.user.id as string;
    expect(invited.data.register.user.referralCode).not.toBe(code);
    const registered = await eventually(async () => (await auth.events('user.registered')).find((e) => e.userId === invitedId));
    expect(registered.data).toMatchObject({ referredBy: inviter.data.register.user.id, referralCode: invited.data.register.user.referralCode });
  });

  it('an unknown code, or one of another tenant, is refused and creates no account', async () => {
    const auth = await startAuth();
    const inviter = await auth.gql<any>(REGISTER, { input: { email: uniqueEmail('inviter'), password: PASSWORD, tenantId: auth.tenantId } });
    await auth.createTenant(`${auth.tenantId}-b`);
    const email = uniqueEmail('stranger');
    const crossTenant = await auth.gql(REGISTER, { input: { email, password: PASSWORD, tenantId: `${auth.tenantId}-b`, referralCode: inviter.data.register.user.referralCode } });
    expect(errorCode(crossTenant)).toBe('BAD_USER_INPUT');
    expect(errorCode(await auth.gql(REGISTER, { input: { email, password: PASSWORD, tenantId: auth.tenantId, referralCode: 'NOSUCH99' } }))).toBe('BAD_USER_INPUT');
    const retried = await auth.gql<any>(REGISTER, { input: { email, password: PASSWORD, tenantId: auth.tenantId } });
    expect(retried.errors).toBeUndefined();
  });
});
