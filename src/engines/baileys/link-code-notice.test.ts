/**
 * A pairing code's confirmation notice (link_code_companion_reg) that lacks
 * the phone's keys: rc14 throws on it inside its own handler and the link
 * never completes (Baileys #2600). On the fake socket, tucan reads the same
 * notice and tells the owner to request a new code; a complete one changes
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { harness, until, type Harness } from '../../test-support/baileys/engine-harness.js';
import { linkCodeNoticeGaps } from './link-code-notice.js';
import type { NotificationNode } from './qr-refresh.js';

type Part = 'link_code_pairing_ref' | 'primary_identity_pub' | 'link_code_pairing_wrapped_primary_ephemeral_pub';

/** The notice as WhatsApp sends it, with the given parts (real sizes) and nothing else. */
function notice(parts: Part[]): NotificationNode {
  const size: Record<Part, number> = { link_code_pairing_ref: 20, primary_identity_pub: 32, link_code_pairing_wrapped_primary_ephemeral_pub: 80 };
  return {
    tag: 'notification',
    attrs: { type: 'link_code_companion_reg', id: 'n1', from: 's.whatsapp.net' },
    content: [{ tag: 'link_code_companion_reg', attrs: { jid: '59170000001@s.whatsapp.net', stage: 'primary_hello' }, content: parts.map((tag) => ({ tag, attrs: {}, content: randomBytes(size[tag]) })) }],
  };
}
const ALL: Part[] = ['link_code_pairing_ref', 'primary_identity_pub', 'link_code_pairing_wrapped_primary_ephemeral_pub'];

describe('Baileys engine: an incomplete pairing-code confirmation', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function codeRequested(): Promise<void> {
    h = await harness();
    const pending = h.engine.requestPairingCode('+591 70000001');
    await until(() => h.sockets.length === 1, 'a socket');
    h.latest().showQr('2@QRREF1,a,b,c');
    await pending;
  }

  it('tells the owner to request a new code when the phone keys are missing, and keeps the connection', async () => {
    await codeRequested();
    h.latest().ws.emit('CB:notification', notice(['link_code_pairing_ref']));
    await until(() => /confirmation of the pairing code/.test(h.engine.status().reason ?? ''), 'the reason');
    const status = h.engine.status();
    expect(status.status).to.equal('qr');
    expect(status.reason).to.equal(
      "WhatsApp's confirmation of the pairing code came without primary_identity_pub (32 bytes), link_code_pairing_wrapped_primary_ephemeral_pub (80 bytes), so this code cannot complete the link: request a new pairing code",
    );
    expect(h.latest().ended).to.equal(false);
  });

  it('leaves a complete notice to Baileys without a word to the owner', async () => {
    await codeRequested();
    const before = h.events.connection.length;
    h.latest().ws.emit('CB:notification', notice(ALL));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.events.connection.length).to.equal(before);
    expect(h.engine.status().reason ?? '').to.not.match(/pairing code/);
  });

  it('names every gap: no element at all, wrong sizes, or no code asked for on this connection', () => {
    const creds = { pairingCode: 'ABCD1234', me: { id: '59170000001@s.whatsapp.net' }, pairingEphemeralKeyPair: { public: new Uint8Array(32), private: new Uint8Array(32) } };
    expect(linkCodeNoticeGaps(notice(ALL), creds)).to.deep.equal([]);
    expect(linkCodeNoticeGaps({ tag: 'notification', attrs: { type: 'link_code_companion_reg' }, content: [] }, creds)).to.deep.equal(['its link_code_companion_reg element']);
    expect(linkCodeNoticeGaps(notice(ALL), { ...creds, pairingCode: undefined })).to.deep.equal(['a pairing code requested on this connection']);
    const short = notice(ALL);
    ((short.content as NotificationNode[])[0].content as NotificationNode[])[1].content = randomBytes(16);
    expect(linkCodeNoticeGaps(short, creds)).to.deep.equal(['primary_identity_pub (32 bytes)']);
  });
});
