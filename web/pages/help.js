// Where to go next: the API reference, and checking webhook signatures.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { VERIFY_SNIPPET } from '../lib/verify-snippet.js';

export default function Help({ session }) {
  return html`<section class="page narrow">
    <h1>${t('help.title')}</h1>
    ${session.kind === 'instance' && html`<p class="notice ok">${t('help.instanceSession')}</p>`}
    <div class="card">
      <h2>${t('help.apiTitle')}</h2>
      <p>${t('help.apiBody')}</p>
      <p><a class="btn primary" href="/docs">${t('help.openDocs')}</a> <a class="btn" href="/openapi.json">${t('help.openapi')}</a></p>
    </div>
    <div class="card">
      <h2>${t('help.webhooksTitle')}</h2>
      <p>${t('help.webhooksBody')}</p>
      <pre class="code" tabindex="0" aria-label=${t('help.webhooksTitle')}><code>${VERIFY_SNIPPET}</code></pre>
    </div>
    <div class="card">
      <h2>${t('help.dashboardTitle')}</h2>
      <p>${t('help.dashboardBody')}</p>
    </div>
  </section>`;
}
