import { expect } from 'chai';
import { isQrRefresh, newAdvSecret, withAdvSecret } from './qr-refresh.js';

describe('QR refresh (companion_reg_refresh)', () => {
  it('recognises the notification by its type or by a refresh child, and nothing else', () => {
    expect(isQrRefresh({ tag: 'notification', attrs: { type: 'companion_reg_refresh' } })).to.equal(true);
    expect(isQrRefresh({ tag: 'notification', attrs: { type: 'devices' }, content: [{ tag: 'pair-device-rotate-qr', attrs: {} }] })).to.equal(true);
    expect(isQrRefresh({ tag: 'notification', attrs: { type: 'devices' }, content: [{ tag: 'device', attrs: {} }] })).to.equal(false);
    expect(isQrRefresh({ tag: 'notification', attrs: { type: 'w:gp2' }, content: Buffer.from('x') })).to.equal(false);
    expect(isQrRefresh({ tag: 'iq', attrs: { type: 'companion_reg_refresh' } })).to.equal(false);
  });

  it("replaces the adv secret, the QR's fourth field, in rc14's URL form and in the bare form", () => {
    expect(withAdvSecret('https://wa.me/settings/linked_devices#ref,noise,identity,old,1', 'NEW')).to.equal('https://wa.me/settings/linked_devices#ref,noise,identity,NEW,1');
    expect(withAdvSecret('ref,noise,identity,old', 'NEW')).to.equal('ref,noise,identity,NEW');
    expect(withAdvSecret('not a qr', 'NEW')).to.equal('not a qr');
  });

  it('makes 32 fresh random bytes', () => {
    const a = newAdvSecret();
    expect(Buffer.from(a, 'base64')).to.have.length(32);
    expect(newAdvSecret()).to.not.equal(a);
  });
});
