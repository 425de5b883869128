import { expect } from 'chai';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { backoffDelay, closeCode, decideOnClose, type CloseContext } from './reconnect-policy.js';

const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 8000 };
const ctx = (code: number | null, over: Partial<CloseContext> = {}): CloseContext => ({ code, message: 'x', attempts: 0, registered: true, sawQr: false, ...over });
const half = () => 0.5;

describe('Baileys reconnect policy', () => {
  it('reconnects at once after restartRequired (515), the normal close after a scan', () => {
    expect(decideOnClose(ctx(DisconnectReason.restartRequired), policy, half)).to.deep.include({ action: 'reconnect', delayMs: 0, attempt: 1 });
  });

  it('clears the link on loggedOut (401) and multideviceMismatch (411), with no retry', () => {
    expect(decideOnClose(ctx(DisconnectReason.loggedOut), policy, half).action).to.equal('logged_out');
    expect(decideOnClose(ctx(DisconnectReason.multideviceMismatch), policy, half).action).to.equal('logged_out');
  });

  it('stops and reports on connectionReplaced (440) and forbidden (403)', () => {
    const replaced = decideOnClose(ctx(DisconnectReason.connectionReplaced), policy, half);
    expect(replaced).to.deep.include({ action: 'stop', status: 'failed' });
    expect((replaced as { reason: string }).reason).to.match(/another WhatsApp Web session/);
    const forbidden = decideOnClose(ctx(DisconnectReason.forbidden), policy, half);
    expect(forbidden).to.deep.include({ action: 'stop', status: 'failed' });
    expect((forbidden as { reason: string }).reason).to.match(/banned/);
  });

  for (const [name, code] of [
    ['connectionClosed', DisconnectReason.connectionClosed],
    ['connectionLost / timedOut', DisconnectReason.connectionLost],
    ['badSession', DisconnectReason.badSession],
    ['unavailableService', DisconnectReason.unavailableService],
    ['an unknown code', 499],
    ['no code at all', null],
  ] as const) {
    it(`backs off on ${name}`, () => {
      const d = decideOnClose(ctx(code, { attempts: 2 }), policy, half);
      expect(d).to.deep.include({ action: 'reconnect', attempt: 3, delayMs: backoffDelay(3, policy, half) });
      expect((d as { delayMs: number }).delayMs).to.be.greaterThan(0);
    });
  }

  it('covers every DisconnectReason value', () => {
    const codes = new Set(Object.values(DisconnectReason).filter((v): v is number => typeof v === 'number'));
    for (const code of codes) {
      const d = decideOnClose(ctx(code), policy, half);
      expect(['reconnect', 'logged_out', 'stop']).to.include(d.action);
      expect((d as { reason: string }).reason).to.be.a('string').and.not.be.empty;
    }
    expect(codes.size).to.equal(9);
  });

  it('grows exponentially with jitter, within [half, full] of a capped step', () => {
    expect(backoffDelay(1, policy, () => 0)).to.equal(500);
    expect(backoffDelay(1, policy, () => 1)).to.equal(1000);
    expect(backoffDelay(3, policy, () => 0)).to.equal(2000);
    expect(backoffDelay(3, policy, () => 1)).to.equal(4000);
    // capped at maxMs however many attempts
    expect(backoffDelay(30, policy, () => 1)).to.equal(8000);
    expect(backoffDelay(30, policy, () => 0)).to.equal(4000);
  });

  it('never gives up over a transient close: past the attempt cap it retries every maxMs, 515 loops included', () => {
    for (const code of [DisconnectReason.connectionLost, DisconnectReason.connectionClosed, DisconnectReason.unavailableService, 500, 405, null]) {
      const d = decideOnClose(ctx(code, { attempts: policy.maxAttempts + 7 }), policy, half);
      expect(d, String(code)).to.deep.include({ action: 'reconnect', delayMs: policy.maxMs, attempt: policy.maxAttempts + 8 });
      expect((d as { reason: string }).reason).to.match(/still retrying every 8 s/);
    }
    expect(decideOnClose(ctx(DisconnectReason.restartRequired, { attempts: policy.maxAttempts }), policy, half)).to.deep.include({ action: 'reconnect', delayMs: policy.maxMs });
  });

  it('stops (disconnected) when the QR codes ran out without a scan, but retries an unlinked socket that never got a QR', () => {
    const expired = decideOnClose(ctx(DisconnectReason.timedOut, { registered: false, sawQr: true }), policy, half);
    expect(expired).to.deep.include({ action: 'stop', status: 'disconnected' });
    // no network: ENOTFOUND surfaces as 408 before any QR
    expect(decideOnClose(ctx(DisconnectReason.timedOut, { registered: false, sawQr: false }), policy, half).action).to.equal('reconnect');
  });

  it("reads the status code from a Boom's output", () => {
    expect(closeCode({ output: { statusCode: 515 } })).to.equal(515);
    expect(closeCode(new Error('plain'))).to.equal(null);
    expect(closeCode(undefined)).to.equal(null);
  });
});
