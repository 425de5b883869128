/**
 * Two nodes in this process on one PostgreSQL schema: a request for an
 * instance the other node runs is carried there and answered as the owner
 * answers; the operator's view of the cluster; and a node that closes
 * hands its instances to the other.
 */
import { expect } from 'chai';
import { nodeConfig, onPostgres } from '../../test-support/postgres-suite.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { eventually } from '../../test-support/webhook-receiver.js';

const OPERATOR = 'operator-token-for-tests';

onPostgres('requests carried to the owner node', function (url) {
  this.timeout(60_000);
  const config = (nodeId: string) => nodeConfig(url, nodeId, { auth: { jwtSecret: 'a-shared-secret-of-the-test-cluster-0123456789' }, cluster: { operatorToken: OPERATOR, leaseMs: 5000, renewMs: 500 } });
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    a = await startTestServer({ config: config('node-a') });
    b = await startTestServer({ config: config('node-b') });
  });
  after(async () => {
    await a?.close({ cleanup: true });
    await b?.close({ cleanup: true });
  });

  it('answers on any node as the owner would, and hands instances over when a node closes', async () => {
    const { token } = await a.owner();
    const { id } = await a.sandboxInstance(token);
    await a.request('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'Hi', keywords: ['hola'], reply: { text: 'Hola, soy el bot' } } });

    const status = await b.request('GET', `/v1/instances/${id}/status`, { token });
    expect(status.body).to.include({ status: 'connected', node: 'node-a' });

    // the sandbox message goes in on node b, runs on node a
    const said = await b.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171111111', text: 'hola', id: 'RETRY0000001' } });
    expect(said.status, said.text).to.equal(201);
    expect(said.headers.get('x-tucan-node')).to.equal('node-a');
    expect(said.body.replies).to.deep.equal([{ text: 'Hola, soy el bot' }]);
    // the same message again (a client's retry) is recognised: no second reply
    const again = await b.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171111111', text: 'hola', id: 'RETRY0000001' } });
    expect(again.status, again.text).to.equal(201);
    const sent = await a.request('GET', `/v1/instances/${id}/messages`, { token });
    expect(sent.body.messages.filter((m: { content?: { text?: string } }) => m.content?.text === 'Hola, soy el bot'), sent.text).to.have.length(1);

    // a send that waits for its outcome is made on the owner, which answers as soon as the engine took it
    const started = Date.now();
    const send = await b.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: '59172222222', text: 'from node b' } });
    expect(send.status, send.text).to.equal(201);
    expect(send.body.status).to.be.oneOf(['sent', 'delivered']);
    expect(send.headers.get('x-tucan-node')).to.equal('node-a');
    expect(Date.now() - started).to.be.below(5000);
    // queued ones are stored by whichever node takes them, and the owner sends them
    const queued = await b.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: '59172222222', text: 'queued on b', queue: true } });
    expect(queued.status, queued.text).to.equal(202);
    expect(queued.headers.get('x-tucan-node')).to.equal(null);
    await eventually(async () => ['sent', 'delivered'].includes((await b.request('GET', `/v1/instances/${id}/messages/${queued.body.id}`, { token })).body.status), 10_000, 200);

    // the live event stream, opened on node b, is relayed from node a as events happen there
    const abort = new AbortController();
    const stream = await fetch(`${b.url}/v1/instances/${id}/events?types=bot.replied`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    expect(stream.headers.get('content-type')).to.match(/^text\/event-stream/);
    expect(stream.headers.get('x-tucan-node')).to.equal('node-a');
    const reader = stream.body!.getReader();
    let seen = '';
    const sawReply = (async () => {
      while (!seen.includes('event: bot.replied')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
    })();
    await a.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171111112', text: 'hola' } });
    await Promise.race([sawReply, new Promise((_, reject) => setTimeout(() => reject(new Error(`no bot.replied relayed; got: ${seen}`)), 5000))]);
    abort.abort();

    // deleting on node b runs on node a, whose engine logs out and stops
    const other = await a.sandboxInstance(token);
    expect(a.app.modules.engines.engines.running()).to.include(other.id);
    const deleted = await b.request('DELETE', `/v1/instances/${other.id}`, { token });
    expect(deleted.status, deleted.text).to.be.oneOf([200, 204]);
    expect(deleted.headers.get('x-tucan-node')).to.equal('node-a');
    expect(a.app.modules.engines.engines.running()).to.not.include(other.id);
    expect((await b.request('GET', `/v1/instances/${other.id}/status`, { token })).status).to.equal(404);

    // a forwarded request is not forwarded again: the node says it is not the owner
    const hop = await b.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171111111', text: 'hola' }, headers: { 'x-tucan-forwarded-by': 'node-a' } });
    expect(hop.status, hop.text).to.equal(503);
    expect(hop.text).to.contain('node-a');
    expect(hop.headers.get('x-tucan-not-owner')).to.equal('node-a');
    expect(hop.headers.get('retry-after')).to.equal('1');

    // the operator's view
    expect((await b.request('GET', '/v1/cluster')).status).to.equal(401);
    expect((await b.request('GET', '/v1/cluster', { token })).status, "an owner's token is not the operator's").to.equal(401);
    const view = await b.request('GET', '/v1/cluster', { headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(view.status).to.equal(200);
    expect(view.body.node).to.equal('node-b');
    expect(view.body.nodes.map((n: { id: string; alive: boolean }) => [n.id, n.alive])).to.deep.equal([
      ['node-a', true],
      ['node-b', true],
    ]);
    expect(view.body.instances).to.deep.equal({ wanting_connection: 1, owned: 1, unowned: 0 });

    // node a closes: its engines stop, its leases go, node b takes the instance at its next round
    await a.close({ cleanup: true });
    await eventually(async () => {
      const s = await b.request('GET', `/v1/instances/${id}/status`, { token });
      return s.body.status === 'connected' && s.body.node === 'node-b';
    }, 5000);
    const local = await b.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '59171111111', text: 'hola' } });
    expect(local.status, local.text).to.equal(201);
    expect(local.headers.get('x-tucan-node')).to.equal(null);
    expect(local.body.replies).to.deep.equal([{ text: 'Hola, soy el bot' }]);
  });
});
