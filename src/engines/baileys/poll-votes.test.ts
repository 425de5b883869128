/**
 * Poll votes through the engine (fake socket): tucan sends a poll, a phone
 * votes on it, encrypting the vote with the poll's messageSecret as
 * WhatsApp does (test-support/baileys/poll-vote.ts, Baileys' own crypto),
 * and the inbound message names the chosen options. Votes on polls someone
 * else sent work the same once tucan has received the poll.
 */
import { expect } from 'chai';
import { jidNormalizedUser, type WAMessage } from '@whiskeysockets/baileys';
import type { FakeSocket } from '../../test-support/baileys/fake-socket.js';
import { harness, ME, until, type Harness } from '../../test-support/baileys/engine-harness.js';
import { pollVoteMessage } from '../../test-support/baileys/poll-vote.js';

const ANA = { phone: '59171234567', pn: '59171234567@s.whatsapp.net', lid: '111111111111111@lid' };
const BOB = { phone: '5491122334455', pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' };
const GROUP = '120363025111111111@g.us';
const ME_PN = jidNormalizedUser(ME.id);
const ME_LID = jidNormalizedUser(ME.lid);

describe('Baileys engine: poll votes are decrypted with the archived poll', () => {
  let h: Harness;
  let sock: FakeSocket;
  beforeEach(async () => {
    h = await harness();
    await h.engine.connect();
    sock = h.latest();
    sock.open({ id: ME.id, lid: ME.lid, name: ME.name });
    await until(() => h.engine.status().status === 'connected', 'connected');
  });
  afterEach(async () => h.close());

  async function sendPoll(id: string, jid: string, options = ['Pizza', 'Salad', 'Soup']): Promise<Uint8Array> {
    await h.engine.send({ jid, content: { type: 'poll', name: 'Lunch?', options, selectable_count: 2 }, wa_message_id: id });
    // the secret Baileys generated is in what tucan archived: the retry path hands out the same content
    const archived = await sock.options.getMessage({ remoteJid: jid, id, fromMe: true });
    const secret = archived?.messageContextInfo?.messageSecret;
    expect(secret, 'the poll secret is archived').to.have.length(32);
    return secret!;
  }

  async function received(m: WAMessage) {
    const before = h.events.inbound.length;
    sock.emit('messages.upsert', { messages: [m], type: 'notify' });
    await until(() => h.events.inbound.length > before, 'the vote');
    return h.events.inbound.at(-1)![0];
  }

  it('names the options of a vote on our poll in a DM, whether the phone used phone-number or LID addresses', async () => {
    const secret = await sendPoll('3EB0POLL00000000000001', ANA.pn);
    const pollKey = { remoteJid: ANA.pn, fromMe: false, id: '3EB0POLL00000000000001' }; // as the voter's phone sees our poll
    const byPhone = await received(pollVoteMessage({ remoteJid: ANA.pn, fromMe: false, id: 'VOTE1' }, { pollKey, secret, creatorJid: ME_PN, voterJid: ANA.pn, options: ['Salad', 'Soup'] }));
    expect(byPhone).to.deep.include({ kind: 'poll_vote', target_id: '3EB0POLL00000000000001', text: 'Salad, Soup', sender_phone: ANA.phone });
    expect(byPhone.poll_vote).to.deep.equal({ poll_id: '3EB0POLL00000000000001', poll_name: 'Lunch?', options: ['Salad', 'Soup'] });

    // a LID-addressed chat: the phone derived the key from both LIDs
    const byLid = await received(
      pollVoteMessage({ remoteJid: ANA.lid, remoteJidAlt: ANA.pn, fromMe: false, id: 'VOTE2' }, { pollKey, secret, creatorJid: ME_LID, voterJid: ANA.lid, options: ['Pizza'] }),
    );
    expect(byLid.poll_vote).to.deep.equal({ poll_id: '3EB0POLL00000000000001', poll_name: 'Lunch?', options: ['Pizza'] });

    // a vote taken back: no option
    const none = await received(pollVoteMessage({ remoteJid: ANA.pn, fromMe: false, id: 'VOTE3' }, { pollKey, secret, creatorJid: ME_PN, voterJid: ANA.pn, options: [] }));
    expect(none.poll_vote?.options).to.deep.equal([]);
    expect(none.text).to.equal(null);
  });

  it('reads a group vote on a poll someone else sent, once the poll itself was received', async () => {
    const secret = new Uint8Array(32).fill(9);
    const poll: WAMessage = {
      key: { remoteJid: GROUP, fromMe: false, id: 'BOBPOLL1', participant: BOB.pn },
      messageTimestamp: Math.floor(Date.now() / 1000),
      message: { messageContextInfo: { messageSecret: secret }, pollCreationMessageV3: { name: 'Where?', options: [{ optionName: 'Here' }, { optionName: 'There' }], selectableOptionsCount: 1 } },
    };
    expect(await received(poll)).to.include({ kind: 'poll', text: 'Where?' });
    const vote = await received(
      pollVoteMessage({ remoteJid: GROUP, fromMe: false, id: 'VOTE4', participant: ANA.lid, participantAlt: ANA.pn }, { pollKey: poll.key, secret, creatorJid: BOB.pn, voterJid: ANA.lid, options: ['There'] }),
    );
    expect(vote.poll_vote).to.deep.equal({ poll_id: 'BOBPOLL1', poll_name: 'Where?', options: ['There'] });
  });

  it('keeps only the poll id when the poll is unknown or the vote was encrypted with another secret', async () => {
    await sendPoll('3EB0POLL00000000000002', ANA.pn);
    const pollKey = { remoteJid: ANA.pn, fromMe: false, id: '3EB0POLL00000000000002' };
    const wrong = await received(pollVoteMessage({ remoteJid: ANA.pn, fromMe: false, id: 'VOTE5' }, { pollKey, secret: new Uint8Array(32), creatorJid: ME_PN, voterJid: ANA.pn, options: ['Pizza'] }));
    expect(wrong).to.include({ kind: 'poll_vote', target_id: '3EB0POLL00000000000002', text: null });
    expect(wrong.poll_vote).to.equal(undefined);
    const unknownKey = { remoteJid: ANA.pn, fromMe: false, id: 'NOSUCHPOLL' };
    const unknown = await received(pollVoteMessage({ remoteJid: ANA.pn, fromMe: false, id: 'VOTE6' }, { pollKey: unknownKey, secret: new Uint8Array(32), creatorJid: ME_PN, voterJid: ANA.pn, options: ['Pizza'] }));
    expect(unknown).to.include({ kind: 'poll_vote', target_id: 'NOSUCHPOLL' });
    expect(unknown.poll_vote).to.equal(undefined);
  });
});
