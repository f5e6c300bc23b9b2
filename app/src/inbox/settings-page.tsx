import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ME, REQUEST_OTP, VERIFY_OTP } from '../auth/operations.js';
import type { NotificationChannel } from '../gql/graphql.js';
import { describeError } from '../ui/errors.js';
import { ErrorState, Loading, Notice } from '../ui/states.js';
import { PREFERENCES, UPDATE_PREFERENCES } from './operations.js';

const CHANNELS: NotificationChannel[] = ['EMAIL', 'SMS', 'PUSH', 'IN_APP'];
const CHANNEL_LABELS: Record<NotificationChannel, string> = { EMAIL: 'Email', SMS: 'SMS', PUSH: 'Push (this app, live)', IN_APP: 'Inbox' };

export function SettingsPage() {
  const [params] = useSearchParams();
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {params.get('welcome') ? <Notice kind="success">Welcome! Your account is ready. Verify your email below.</Notice> : null}
      <AccountCard />
      <PreferencesForm />
    </section>
  );
}

function AccountCard() {
  const { data, loading, error, refetch } = useQuery(ME);
  const [requestOtp, requested] = useMutation(REQUEST_OTP);
  const [verifyOtp, verified] = useMutation(VERIFY_OTP, { refetchQueries: [ME] });
  const [code, setCode] = useState('');
  const codeId = useId();
  if (loading && !data) return <Loading />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const me = data?.me;
  if (!me) return null;
  async function verify(event: FormEvent) {
    event.preventDefault();
    await verifyOtp({ variables: { input: { purpose: 'email_verification', code: code.trim() } } }).catch(() => undefined);
  }
  return (
    <div className="card">
      <h2>Account</h2>
      <dl className="facts">
        <div>
          <dt>Email</dt>
          <dd>
            {me.email} {me.emailVerified ? <span className="tag status-completed">verified</span> : <span className="tag">not verified</span>}
          </dd>
        </div>
        <div>
          <dt>Your referral code</dt>
          <dd>
            <code data-testid="referral-code">{me.referralCode ?? '—'}</code>
          </dd>
        </div>
      </dl>
      {!me.emailVerified ? (
        <>
          <button
            type="button"
            className="button secondary"
            onClick={() => void requestOtp({ variables: { input: { channel: 'EMAIL', purpose: 'email_verification' } } }).catch(() => undefined)}
            disabled={requested.loading}
          >
            Email me a code
          </button>
          {requested.data ? <Notice kind="info">We sent a code to {me.email}.</Notice> : null}
          {requested.error ? <Notice kind="error">{describeError(requested.error)}</Notice> : null}
          <form className="form inline-form" onSubmit={(event) => void verify(event)}>
            <div className="field">
              <label htmlFor={codeId}>Verification code</label>
              <input id={codeId} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(event) => setCode(event.target.value)} />
            </div>
            <button type="submit" className="button" disabled={verified.loading || code.trim() === ''}>
              Verify
            </button>
          </form>
          {verified.error ? <Notice kind="error">{describeError(verified.error)}</Notice> : null}
        </>
      ) : null}
    </div>
  );
}

function PreferencesForm() {
  const { data, loading, error, refetch } = useQuery(PREFERENCES);
  const [save, saved] = useMutation(UPDATE_PREFERENCES);
  const [channels, setChannels] = useState<NotificationChannel[]>([]);
  const [muted, setMuted] = useState<string[]>([]);
  const [locale, setLocale] = useState('en');
  const localeId = useId();
  useEffect(() => {
    if (!data) return;
    setChannels([...data.notificationPreferences.channels]);
    setMuted([...data.notificationPreferences.mutedTypes]);
    setLocale(data.notificationPreferences.locale);
  }, [data]);
  if (loading && !data) return <Loading />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const toggle = <T,>(list: T[], item: T) => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    await save({ variables: { input: { channels, mutedTypes: muted, locale } } }).catch(() => undefined);
  }
  return (
    <form className="card form" onSubmit={(event) => void submit(event)}>
      <h2>Notifications</h2>
      <fieldset>
        <legend>Channels</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} className="check">
            <input type="checkbox" checked={channels.includes(channel)} onChange={() => setChannels(toggle(channels, channel))} /> {CHANNEL_LABELS[channel]}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Mute these messages</legend>
        {data?.notificationTypes.map((type) => (
          <label key={type.name} className="check">
            <input type="checkbox" checked={muted.includes(type.name)} disabled={type.critical} onChange={() => setMuted(toggle(muted, type.name))} /> {type.name}
            {type.critical ? <span className="muted small"> (security: always sent)</span> : null}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={localeId}>Language</label>
        <select id={localeId} value={locale} onChange={(event) => setLocale(event.target.value)}>
          {['en', 'de', 'fr', 'es', 'it', 'nl', 'pl'].map((tag) => (
            <option key={tag} value={tag}>
              {new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag}
            </option>
          ))}
        </select>
      </div>
      {saved.error ? <Notice kind="error">{describeError(saved.error)}</Notice> : null}
      {saved.data && !saved.loading ? <Notice kind="success">Saved.</Notice> : null}
      <button type="submit" className="button" disabled={saved.loading}>
        Save preferences
      </button>
    </form>
  );
}
