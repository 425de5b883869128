import { expect } from 'chai';
import { describeSendFailure, nextSendAllowedAt, retryDelayMs, statusesBefore, typingDurationMs } from './outbox.js';
import { seededRandom } from './random.js';

const PACING = { enabled: true, minIntervalMs: 1000, jitterMs: 2000, typing: true };

describe('outbox rules', () => {
  it('lets receipts only move a message forward', () => {
    expect(statusesBefore('sent')).to.have.members(['queued', 'scheduled', 'sending']);
    expect(statusesBefore('delivered')).to.have.members(['queued', 'scheduled', 'sending', 'sent']);
    expect(statusesBefore('read')).to.include('delivered').and.not.include('read');
    expect(statusesBefore('failed')).to.have.members(['queued', 'sending', 'sent']);
    expect(statusesBefore('read')).to.not.include('cancelled');
  });

  it('backs off exponentially with jitter, capped at five minutes', () => {
    const random = seededRandom(1);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(2000 * 2 ** (attempt - 1), 300_000);
      const d = retryDelayMs(attempt, random);
      expect(d).to.be.within(base * 0.75, base * 1.25);
    }
  });

  it('paces with a minimum interval plus jitter, and not at all when pacing is off', () => {
    expect(nextSendAllowedAt(PACING, 10_000, () => 0)).to.equal(11_000);
    expect(nextSendAllowedAt(PACING, 10_000, () => 0.5)).to.equal(12_000);
    expect(nextSendAllowedAt({ ...PACING, enabled: false }, 10_000, () => 0.9)).to.equal(10_000);
  });

  it('types for a time scaled to the text, within bounds', () => {
    expect(typingDurationMs(PACING, 'ok')).to.equal(800);
    expect(typingDurationMs(PACING, 'x'.repeat(50))).to.equal(2000);
    expect(typingDurationMs(PACING, 'x'.repeat(5000))).to.equal(6000);
    expect(typingDurationMs(PACING, null)).to.equal(0);
    expect(typingDurationMs({ ...PACING, typing: false }, 'hello')).to.equal(0);
  });

  it('explains error 463 instead of passing the raw message on', () => {
    expect(describeSendFailure('463', 'x')).to.match(/reach-out timelock/).and.match(/not retried/);
    expect(describeSendFailure('500', 'server error')).to.equal('server error');
  });
});
