import { expect } from 'chai';
import { parsePrometheusText, type Family } from '../../../test-support/prometheus-text.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../test-support/webhook-receiver.js';

const sum = (f: Family | undefined, match: (labels: Record<string, string>) => boolean = () => true, name = f?.name) =>
  (f?.samples ?? []).filter((s) => s.name === name && match(s.labels)).reduce((a, s) => a + s.value, 0);

describe('GET /metrics (Prometheus)', () => {
  let t: TestServer;
  let receiver: WebhookReceiver;
  let owner: { token: string };
  let inst: { id: string; token: string };

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    receiver = await WebhookReceiver.start();
    owner = await t.owner('metrics-owner');
    inst = await t.sandboxInstance(owner.token);
  });
  after(async () => {
    await receiver.close();
    await t.close({ cleanup: true });
  });

  async function scrape(): Promise<Map<string, Family>> {
    const res = await t.request('GET', '/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(res.text);
  }

  it('reports requests by route template, inbound messages, decisions, sends, webhooks, engines, store and process', async () => {
    await t.request('PATCH', `/v1/instances/${inst.id}/settings`, { token: owner.token, json: { actions: { send_webhook: true } } });
    await t.request('POST', `/v1/instances/${inst.id}/rules`, { token: owner.token, json: { name: 'Hi', keywords: ['hola'], reply: { text: 'Hola!' } } });
    const hook = await t.request('POST', `/v1/instances/${inst.id}/webhooks`, { token: owner.token, json: { url: receiver.url, events: ['message.received'] } });
    expect(hook.status).to.equal(201);
    for (const text of ['hola', 'hola amigo', 'nothing matches']) {
      const res = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { token: owner.token, json: { from: '59171234567', text } });
      expect(res.status).to.equal(201);
    }
    await t.request('GET', `/v1/instances/${inst.id}/messages/aaaaaaaaaaaaaaaaaaaaaaaa`, { token: owner.token });
    const later = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: '59170000001', text: 'later', schedule_at: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(later.body.status).to.equal('scheduled');
    await eventually(async () => receiver.requests.length >= 3);

    const m = await eventually(async () => {
      const families = await scrape();
      return sum(families.get('tucan_webhook_deliveries_total'), (l) => l.result === 'delivered', 'tucan_webhook_deliveries_total') >= 3 ? families : undefined;
    });

    const requests = m.get('tucan_http_requests_total')!;
    expect(requests.type).to.equal('counter');
    expect(sum(requests, (l) => l.route === '/v1/instances/:id/sandbox/messages' && l.method === 'POST' && l.status === '201', 'tucan_http_requests_total')).to.equal(3);
    expect(sum(requests, (l) => l.route === '/v1/instances/:id/messages/:msgId' && l.status === '404', 'tucan_http_requests_total')).to.equal(1);
    const latency = m.get('tucan_http_request_duration_seconds')!;
    expect(latency.type).to.equal('histogram');
    expect(sum(latency, (l) => l.route === '/v1/instances/:id/sandbox/messages', 'tucan_http_request_duration_seconds_count')).to.equal(3);

    expect(sum(m.get('tucan_inbound_messages_total'), undefined, 'tucan_inbound_messages_total')).to.equal(3);
    const decisions = m.get('tucan_decisions_total')!;
    expect(sum(decisions, (l) => l.outcome === 'replied_rule', 'tucan_decisions_total')).to.equal(2);
    expect(sum(decisions, undefined, 'tucan_decisions_total')).to.equal(3);
    expect(sum(m.get('tucan_outbox_send_results_total'), (l) => l.result === 'sent', 'tucan_outbox_send_results_total')).to.be.at.least(2);
    const depth = m.get('tucan_outbox_depth')!;
    expect(depth.type).to.equal('gauge');
    expect(sum(depth, (l) => l.status === 'scheduled')).to.equal(1);
    expect(sum(depth, (l) => l.status === 'queued')).to.equal(0);
    expect(sum(m.get('tucan_webhook_delivery_duration_seconds'), (l) => l.result === 'delivered', 'tucan_webhook_delivery_duration_seconds_count')).to.be.at.least(3);
    expect(sum(m.get('tucan_engine_connections'), (l) => l.status === 'connected')).to.be.at.least(1);
    const store = m.get('tucan_store_operation_duration_seconds')!;
    expect(sum(store, (l) => l.collection === 'messages' && l.operation === 'insertMany', 'tucan_store_operation_duration_seconds_count')).to.be.at.least(1);
    expect(m.get('tucan_nodejs_eventloop_lag_seconds')!.samples[0].value).to.be.a('number');
    expect(m.get('tucan_process_resident_memory_bytes')!.samples[0].value).to.be.greaterThan(0);

    // no label value carries tenant data
    const tenant = [inst.id, inst.token, 'metrics-owner', '59171234567', '59170000001', receiver.url, 'Hi', 'hola'];
    for (const f of m.values()) {
      for (const s of f.samples) {
        for (const v of Object.values(s.labels)) for (const secret of tenant) expect(v, `${s.name} ${JSON.stringify(s.labels)}`).to.not.contain(secret);
      }
    }
  });

  it('needs the metrics token as a Bearer when TUCAN_METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startTestServer({ config: { http: { metricsToken: token } } });
    try {
      expect((await guarded.request('GET', '/metrics')).status).to.equal(401);
      expect((await guarded.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).to.equal(401);
      const ok = await guarded.request('GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).to.equal(200);
      expect(parsePrometheusText(ok.text).has('tucan_http_requests_total')).to.equal(true);
    } finally {
      await guarded.close({ cleanup: true });
    }
  });

  it('keeps each app’s metrics to itself', async () => {
    const other = await startTestServer();
    try {
      const families = parsePrometheusText((await other.request('GET', '/metrics')).text);
      expect(sum(families.get('tucan_inbound_messages_total'), undefined, 'tucan_inbound_messages_total')).to.equal(0);
    } finally {
      await other.close({ cleanup: true });
    }
  });
});
