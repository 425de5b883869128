// The dashboard shell: session, hash routing, header, instance tabs.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './lib/html.js';
import { adoptTokenFromAddress, api, forgetInstanceToken, instanceToken } from './lib/api.js';
import { LANGUAGES, lang, onLangChange, setLang, t } from './lib/i18n.js';
import { useInstanceEvents, useEvent } from './lib/events.js';
import { StatusBadge, Spinner, useId } from './lib/ui.js';
import { match, routes } from './routes.js';

adoptTokenFromAddress();

export function navigate(path) {
  if (location.hash !== `#${path}`) location.hash = path;
}

function currentPath() {
  return decodeURI(location.hash.replace(/^#/, '')) || '/';
}

const modules = new Map();
/** The route's page module once loaded (never another route's, while it loads). */
function usePageModule(route) {
  const [loaded, setLoaded] = useState(null);
  useEffect(() => {
    if (!route || modules.has(route.path)) return;
    route.load().then(
      (m) => {
        modules.set(route.path, m);
        setLoaded({ route, m });
      },
      (err) => setLoaded({ route, m: { failed: err } }),
    );
  }, [route]);
  if (!route) return null;
  if (modules.has(route.path)) return modules.get(route.path);
  return loaded?.route === route ? loaded.m : null;
}

function LanguageSwitch() {
  const id = useId('lang');
  return html`<div class="lang-switch">
    <label for=${id}>${t('nav.language')}</label>
    <select id=${id} value=${lang()} onChange=${(e) => setLang(e.currentTarget.value)}>
      ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code}>${name}</option>`)}
    </select>
  </div>`;
}

function Header({ session, onSignOut }) {
  return html`<header class="topbar">
    <a class="brand" href=${session.kind === 'owner' ? '#/instances' : '#/'}><img src="/ui/favicon.svg" alt="" width="28" height="28" /><span>tucan</span></a>
    <nav class="topnav" aria-label=${t('nav.main')}>
      ${session.kind === 'owner' && html`<a href="#/instances">${t('nav.instances')}</a>`}
      <a href="#/help">${t('nav.help')}</a>
    </nav>
    <div class="top-right">
      <${LanguageSwitch} />
      ${session.kind === 'owner' && html`<span class="who" title=${session.user.email}>${session.user.name}</span>`}
      ${session.kind !== 'none' && html`<button type="button" class="btn ghost" onClick=${onSignOut}>${session.kind === 'owner' ? t('nav.signOut') : t('nav.forgetToken')}</button>`}
    </div>
  </header>`;
}

/** Around every instance page: the instance, its live status and its tabs. */
function InstanceLayout({ params, route, session, children }) {
  const [instance, setInstance] = useState(null);
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const events = useInstanceEvents(params.id);
  const reload = async () => {
    try {
      const inst = await api('GET', `/v1/instances/${params.id}`);
      setInstance(inst);
      setStatus(await api('GET', `/v1/instances/${params.id}/status`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setInstance(null);
    reload();
  }, [params.id]);
  useEvent(events, 'connection.update', (data) => setStatus((s) => ({ ...(s ?? {}), status: data.status, reason: data.reason, phone: data.phone ?? s?.phone, is_ready: data.ready })));
  if (error) return html`<section class="page"><h1>${t('instance.unavailable')}</h1><p class="error-note" role="alert">${error.message}</p>${session.kind === 'owner' && html`<p><a href="#/instances">${t('instance.backToList')}</a></p>`}</section>`;
  if (!instance) return html`<${Spinner} />`;
  const tabs = routes.filter((r) => r.instance && r.tab);
  return html`<div class="instance-shell">
    <div class="instance-head">
      ${session.kind === 'owner' && html`<a class="back" href="#/instances">← ${t('nav.instances')}</a>`}
      <div class="instance-title">
        <span class="instance-name">${instance.name}</span>
        <span class="engine-tag">${t(`engine.${instance.engine}`)}</span>
        <${StatusBadge} status=${status?.status ?? instance.status} />
        ${status?.phone && html`<span class="phone">+${status.phone}</span>`}
      </div>
    </div>
    <nav class="tabs" aria-label=${t('nav.instanceSections')}>
      ${tabs.map((r) => {
        const href = `#${r.path.replace(':id', params.id)}`;
        const active = r === route;
        return html`<a href=${href} class=${active ? 'active' : ''} aria-current=${active ? 'page' : undefined}>${t(r.tab)}</a>`;
      })}
    </nav>
    ${children({ instance, status, events, reloadInstance: reload, setInstance })}
  </div>`;
}

function Page({ matched, session, setSession }) {
  const mod = usePageModule(matched?.route);
  if (!matched) return html`<section class="page"><h1>${t('notFound.title')}</h1><p><a href=${session.kind === 'owner' ? '#/instances' : '#/signin'}>${t('notFound.back')}</a></p></section>`;
  if (!mod) return html`<${Spinner} />`;
  if (mod.failed) return html`<section class="page"><h1>${t('page.failed')}</h1><p class="error-note" role="alert">${mod.failed.message}</p></section>`;
  const Component = mod.default;
  const common = { params: matched.params, session, setSession, navigate };
  if (matched.route.instance) {
    return html`<${InstanceLayout} params=${matched.params} route=${matched.route} session=${session}>
      ${(inst) => html`<${Component} ...${common} ...${inst} />`}
    <//>`;
  }
  return html`<${Component} ...${common} />`;
}

function App() {
  const [path, setPath] = useState(currentPath());
  const [session, setSession] = useState(() => (instanceToken() ? { kind: 'instance' } : { kind: 'loading' }));
  const [, setLangState] = useState(lang());

  useEffect(() => onLangChange(setLangState), []);
  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (session.kind !== 'loading') return;
    api('GET', '/v1/users/me')
      .then((user) => setSession({ kind: 'owner', user }))
      .catch(() => setSession({ kind: 'none' }));
  }, [session.kind]);
  useEffect(() => {
    const onUnauthorized = () => {
      if (instanceToken()) return;
      setSession({ kind: 'none' });
    };
    window.addEventListener('tucan:unauthorized', onUnauthorized);
    return () => window.removeEventListener('tucan:unauthorized', onUnauthorized);
  }, []);

  let matched = match(path);
  // where each kind of visitor lands, and where a missing session sends them
  if (session.kind === 'none' && !matched?.route.public) {
    if (path !== '/signin') setTimeout(() => navigate('/signin'));
    matched = match('/signin');
  } else if (session.kind === 'owner' && (path === '/' || path === '/signin' || path === '/register')) {
    setTimeout(() => navigate('/instances'));
    matched = match('/instances');
  } else if (path === '/' && session.kind === 'instance') {
    matched = match('/help');
  }

  const signOut = async () => {
    if (session.kind === 'instance') {
      forgetInstanceToken();
    } else {
      try {
        await api('POST', '/v1/auth/logout');
      } catch {
        // the cookie is cleared either way once it has expired or been revoked
      }
    }
    setSession({ kind: 'none' });
    navigate('/signin');
  };

  return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>${t('nav.skip')}</a>
    <${Header} session=${session.kind === 'loading' ? { kind: 'none' } : session} onSignOut=${signOut} />
    <main id="main" tabindex="-1">
      ${session.kind === 'loading' ? html`<${Spinner} />` : html`<${Page} matched=${matched} session=${session} setSession=${setSession} />`}
    </main>
    <footer class="foot"><a href="/docs">${t('nav.apiDocs')}</a> · <a href="#/help">${t('nav.help')}</a></footer>`;
}

render(html`<${App} />`, document.getElementById('app'));
