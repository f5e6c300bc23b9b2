import { useMutation } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { describeError } from '../ui/errors.js';
import { Notice } from '../ui/states.js';
import { TENANT_ID } from './tenant.js';
import { LOGIN } from './operations.js';
import { useSession } from './session-context.js';

export function SignInPage() {
  const [login, { loading, error }] = useMutation(LOGIN);
  const { signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const ids = { email: useId(), password: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { data } = await login({ variables: { input: { email: email.trim(), password, tenantId: TENANT_ID } } }).catch(() => ({ data: undefined }));
    if (!data) return;
    signIn(data.login);
    const from = (location.state as { from?: string } | null)?.from;
    void navigate(from && from !== '/signin' ? from : '/', { replace: true });
  }

  return (
    <section className="auth-card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input id={ids.email} type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input id={ids.password} type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
        </div>
        {error ? <Notice kind="error">{describeError(error)}</Notice> : null}
        <button type="submit" className="button" disabled={loading}>
          {loading ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}
