// Create an owner account, then sign in with it straight away.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, TextField } from '../lib/ui.js';

const FIELDS = ['name', 'email', 'phone', 'username', 'password'];

export default function Register({ setSession, navigate }) {
  const [form, setForm] = useState({ name: '', email: '', phone: '', username: '', password: '' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/v1/auth/register', form);
      const answer = await api('POST', '/v1/auth/login', { username: form.username, password: form.password });
      setSession({ kind: 'owner', user: answer.user });
      navigate('/instances');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const field = (name, props = {}) =>
    html`<${TextField} label=${t(`register.${name}`)} value=${form[name]} onInput=${set(name)} error=${fieldError(error, name)} required ...${props} />`;
  return html`<section class="page narrow auth-page">
    <h1>${t('register.title')}</h1>
    <p class="lead">${t('register.lead')}</p>
    <form class="card" onSubmit=${submit} novalidate>
      ${field('name', { autocomplete: 'name' })}
      ${field('email', { type: 'email', autocomplete: 'email' })}
      ${field('phone', { type: 'tel', autocomplete: 'tel', hint: t('register.phoneHint') })}
      ${field('username', { autocomplete: 'username', hint: t('register.usernameHint') })}
      ${field('password', { type: 'password', autocomplete: 'new-password', hint: t('register.passwordHint') })}
      <${ErrorNote} text=${generalError(error, FIELDS)} />
      <button class="btn primary wide" type="submit" disabled=${busy}>${t('register.submit')}</button>
    </form>
    <p class="center">${t('register.haveAccount')} <a href="#/signin">${t('register.signin')}</a></p>
  </section>`;
}
