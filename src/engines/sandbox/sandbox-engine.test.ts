import { expect } from 'chai';
import type { InboundMessage } from '../../domain/inbound.js';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import { SandboxEngine } from './sandbox-engine.js';
import { SandboxRecord, type SandboxContactDoc } from './sandbox-record.js';

const INSTANCE = 'inst1';

function message(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    instance_id: INSTANCE,
    wa_message_id: SandboxEngine.messageId(),
    chat_jid: '59171234567@s.whatsapp.net',
    sender_jid: '59171234567@s.whatsapp.net',
    sender_phone: '59171234567',
    push_name: 'Ana',
    is_group: false,
    is_broadcast: false,
    from_me: false,
    sent_by_api: false,
    offline: false,
    timestamp: 0,
    kind: 'text',
    text: 'hola',
    ...overrides,
  };
}

describe('sandbox engine address book', () => {
  let store: SqliteStore;
  let record: SandboxRecord;
  let now: number;
  let contactWrites: unknown[][];
  let delivered: InboundMessage[];

  async function engine(): Promise<SandboxEngine> {
    const e = new SandboxEngine({
      instanceId: INSTANCE,
      record,
      clock: () => now,
      events: { inbound: (m) => void delivered.push(...m), receipt: () => {}, connection: () => {}, groupParticipants: () => {} },
    });
    await e.connect();
    return e;
  }

  const stored = () => store.collection<SandboxContactDoc>('sandbox_contacts').findOne({ instance_id: INSTANCE, jid: '59171234567@s.whatsapp.net' });

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    record = new SandboxRecord(store);
    await record.init();
    now = 1_000;
    contactWrites = [];
    delivered = [];
    const remember = record.rememberContact.bind(record);
    record.rememberContact = (...args) => {
      contactWrites.push(args);
      return remember(...args);
    };
  });

  afterEach(() => store.close());

  it('records a contact once and does not rewrite it while its phone and push name stay the same', async () => {
    const e = await engine();
    await e.inject([message(), message()]);
    now = 2_000;
    await e.inject([message()]);
    expect(contactWrites).to.have.length(1);
    expect(await stored()).to.include({ phone: '59171234567', push_name: 'Ana', updated_at: 1_000 });
    expect(delivered).to.have.length(3);
  });

  it('rewrites the contact when the push name or the phone changes, and keeps the name when a message has none', async () => {
    const e = await engine();
    await e.inject([message()]);
    now = 2_000;
    await e.inject([message({ push_name: 'Ana María' })]);
    expect(await stored()).to.include({ push_name: 'Ana María', updated_at: 2_000 });
    now = 3_000;
    await e.inject([message({ push_name: null })]);
    expect(contactWrites).to.have.length(2);
    expect(await stored()).to.include({ push_name: 'Ana María', updated_at: 2_000 });
    await e.inject([message({ push_name: null, sender_phone: null })]);
    expect(contactWrites).to.have.length(3);
    expect(await stored()).to.include({ phone: null, push_name: 'Ana María', updated_at: 3_000 });
  });

  it('updates a contact recorded before a restart instead of failing on the duplicate', async () => {
    await (await engine()).inject([message()]);
    now = 2_000;
    await (await engine()).inject([message({ push_name: 'Ana B.' })]);
    expect(await stored()).to.include({ push_name: 'Ana B.', updated_at: 2_000 });
    expect(await store.collection('sandbox_contacts').countDocuments({ instance_id: INSTANCE })).to.equal(1);
  });

  it('tries again with the next message when recording a contact failed', async () => {
    const e = await engine();
    const remember = record.rememberContact;
    record.rememberContact = () => Promise.reject(new Error('disk full'));
    let failure: unknown = null;
    await e.inject([message()]).catch((err: unknown) => (failure = err));
    expect(failure).to.be.instanceOf(Error);
    record.rememberContact = remember;
    await e.inject([message()]);
    expect(await stored()).to.include({ push_name: 'Ana' });
  });

  it('keeps every member when several join a group in one batch', async () => {
    const e = await engine();
    const group = '120363000000000001@g.us';
    const members = ['59171111111', '59172222222', '59173333333'];
    await e.inject(members.map((phone) => message({ chat_jid: group, is_group: true, sender_jid: `${phone}@s.whatsapp.net`, sender_phone: phone })));
    const [recorded] = await record.listGroups(INSTANCE);
    expect(recorded.participants.map((p) => p.phone).sort()).to.deep.equal(members);
  });
});
