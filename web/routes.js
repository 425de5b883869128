// The route table: one line per page. A page is a module in pages/ whose
// default export is a component. `instance: true` pages live under an
// instance (they get its tabs, its data and its live events); `tab` is the
// dictionary key of their tab label; `public` pages need no session.
export const routes = [
  { path: '/signin', load: () => import('./pages/signin.js'), public: true },
  { path: '/register', load: () => import('./pages/register.js'), public: true },
  { path: '/instances', load: () => import('./pages/instances.js') },
  { path: '/instances/:id/link', load: () => import('./pages/link.js'), instance: true, tab: 'tab.link' },
  { path: '/instances/:id/settings', load: () => import('./pages/settings.js'), instance: true, tab: 'tab.settings' },
  { path: '/instances/:id/rules', load: () => import('./pages/rules.js'), instance: true, tab: 'tab.rules' },
  { path: '/instances/:id/chat', load: () => import('./pages/test-chat.js'), instance: true, tab: 'tab.chat' },
  // second part of issue 18: flows, messages, webhooks (one line each)
  { path: '/instances/:id/flows', load: () => import('./pages/flows.js'), instance: true, tab: 'tab.flows' },
  { path: '/instances/:id/messages', load: () => import('./pages/messages.js'), instance: true, tab: 'tab.messages' },
  { path: '/instances/:id/webhooks', load: () => import('./pages/webhooks.js'), instance: true, tab: 'tab.webhooks' },
  { path: '/help', load: () => import('./pages/help.js'), public: true },
];

/** The first route matching a hash path, with its :params. */
export function match(path) {
  for (const route of routes) {
    const names = [];
    const re = new RegExp(`^${route.path.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)'))}/?$`);
    const m = re.exec(path);
    if (m) return { route, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}
