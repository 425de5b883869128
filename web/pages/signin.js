// Sign in with username or email and password; the server sets the HttpOnly session cookie.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, TextField } from '../lib/ui.js';

export default function SignIn({ setSession, navigate }) {
  const [form, setForm] = useState({ username: '', password: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api('POST', '/v1/auth/login', form);
      setSession({ kind: 'owner', user: answer.user });
      navigate('/instances');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<section class="page narrow auth-page">
    <h1>${t('signin.title')}</h1>
    <p class="lead">${t('signin.lead')}</p>
    <form class="card" onSubmit=${submit} novalidate>
      <${TextField} label=${t('signin.username')} value=${form.username} onInput=${set('username')} autocomplete="username" required error=${fieldError(error, 'username')} />
      <${TextField} label=${t('signin.password')} type="password" value=${form.password} onInput=${set('password')} autocomplete="current-password" required error=${fieldError(error, 'password')} />
      <${ErrorNote} text=${generalError(error, ['username', 'password'])} />
      <button class="btn primary wide" type="submit" disabled=${busy}>${t('signin.submit')}</button>
    </form>
    <p class="center">${t('signin.noAccount')} <a href="#/register">${t('signin.register')}</a></p>
  </section>`;
}
