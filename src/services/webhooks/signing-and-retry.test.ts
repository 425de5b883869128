import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { seededRandom } from '../../domain/random.js';
import { judge, parseRetryAfter } from './retry-policy.js';
import { generateSecret, normalizeSecret, signature, signedHeaders } from './signing.js';

describe('webhook signing (Standard Webhooks v1)', () => {
  it("matches the specification's published test vector", () => {
    const sig = signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).to.equal('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('generates random whsec_ secrets of 32 bytes', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).to.match(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice(6), 'base64')).to.have.length(32);
    expect(a).to.not.equal(b);
  });

  it('accepts whsec_ secrets of 24–64 bytes and free-text secrets of 24+ characters, refusing short ones', () => {
    expect(normalizeSecret(`whsec_${Buffer.alloc(24, 7).toString('base64')}`)).to.have.property('secret');
    expect(normalizeSecret(`whsec_${Buffer.alloc(16, 7).toString('base64')}`)).to.have.property('error').that.matches(/too short/);
    expect(normalizeSecret(`whsec_${Buffer.alloc(65, 7).toString('base64')}`)).to.have.property('error').that.matches(/too long/);
    expect(normalizeSecret('whsec_not base64!')).to.have.property('error');
    expect(normalizeSecret('short')).to.have.property('error').that.matches(/too short/);
    const free = normalizeSecret('a-free-text-secret-of-enough-length');
    expect(free).to.deep.equal({ secret: `whsec_${Buffer.from('a-free-text-secret-of-enough-length').toString('base64')}` });
    // the key is the text's bytes, so a receiver holding the text verifies too
    const byText = createHmac('sha256', 'a-free-text-secret-of-enough-length').update('id.1.{}').digest('base64');
    expect(signature((free as { secret: string }).secret, 'id', 1, '{}')).to.equal(`v1,${byText}`);
  });

  it('signs with every active secret, space-separated, during a rotation', () => {
    const h = signedHeaders([generateSecret(), generateSecret()], 'evt_1', 1700000000, '{}');
    expect(h['webhook-id']).to.equal('evt_1');
    expect(h['webhook-timestamp']).to.equal('1700000000');
    expect(h['webhook-signature'].split(' ')).to.have.length(2);
  });
});

describe('webhook retry policy', () => {
  const schedule = [5, 300, 1800];
  const now = 1_700_000_000_000;
  const random = seededRandom(1);

  it('treats 2xx as delivered and 410 as gone', () => {
    expect(judge({ status: 200, retryAfter: null, error: null }, 1, schedule, now, random)).to.deep.equal({ kind: 'delivered' });
    expect(judge({ status: 204, retryAfter: null, error: null }, 4, schedule, now, random)).to.deep.equal({ kind: 'delivered' });
    expect(judge({ status: 410, retryAfter: null, error: null }, 1, schedule, now, random)).to.deep.equal({ kind: 'gone' });
  });

  it('retries 3xx, 4xx, 5xx and network errors on the schedule with ±10% jitter, then dead-letters', () => {
    for (const result of [
      { status: 302, retryAfter: null, error: 'redirect' },
      { status: 400, retryAfter: null, error: 'x' },
      { status: 500, retryAfter: null, error: 'x' },
      { status: null, retryAfter: null, error: 'timed out' },
    ]) {
      schedule.forEach((seconds, i) => {
        const v = judge(result, i + 1, schedule, now, random);
        expect(v.kind).to.equal('retry');
        const delay = (v as { at: number }).at - now;
        expect(delay).to.be.within(seconds * 900, seconds * 1100);
      });
      expect(judge(result, schedule.length + 1, schedule, now, random)).to.deep.equal({ kind: 'dead' });
    }
  });

  it('honours Retry-After (seconds or HTTP date) when it asks for longer than the schedule', () => {
    const v = judge({ status: 503, retryAfter: '120', error: 'x' }, 1, schedule, now, random);
    expect((v as { at: number }).at - now).to.equal(120_000);
    expect(parseRetryAfter(new Date(now + 60_000).toUTCString(), now)).to.equal(60_000);
    expect(parseRetryAfter('soon', now)).to.equal(null);
    expect(parseRetryAfter('99999999', now)).to.equal(24 * 3600_000);
    const shorter = judge({ status: 429, retryAfter: '1', error: 'x' }, 2, schedule, now, random);
    expect((shorter as { at: number }).at - now).to.be.at.least(270_000);
  });
});
