import { useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { describeError } from '../ui/errors.js';
import { Notice } from '../ui/states.js';
import { REGISTER } from './operations.js';
import { useSession } from './session-context.js';
import { TENANT_ID } from './tenant.js';

export function RegisterPage() {
  const [register, { loading, error }] = useMutation(REGISTER);
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({ email: '', password: '', displayName: '', referralCode: params.get('ref') ?? '' });
  const ids = { email: useId(), password: useId(), name: useId(), referral: useId(), passwordHint: useId() };
  const update = (name: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = { email: form.email.trim(), password: form.password, tenantId: TENANT_ID, displayName: form.displayName.trim() || null, referralCode: form.referralCode.trim() || null };
    const { data } = await register({ variables: { input } }).catch(() => ({ data: undefined }));
    if (!data) return;
    signIn(data.register);
    void navigate('/settings?welcome=1', { replace: true });
  }

  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create your account</h1>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor={ids.name}>Your name</label>
          <input id={ids.name} autoComplete="name" value={form.displayName} onChange={update('displayName')} />
        </div>
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input id={ids.email} type="email" autoComplete="email" value={form.email} onChange={update('email')} required />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input id={ids.password} type="password" autoComplete="new-password" minLength={10} value={form.password} onChange={update('password')} aria-describedby={ids.passwordHint} required />
          <p id={ids.passwordHint} className="hint">
            At least 10 characters.
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.referral}>Referral code (optional)</label>
          <input id={ids.referral} autoComplete="off" value={form.referralCode} onChange={update('referralCode')} />
        </div>
        {error ? <Notice kind="error">{describeError(error)}</Notice> : null}
        <button type="submit" className="button" disabled={loading}>
          {loading ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
