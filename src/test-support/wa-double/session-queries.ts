/**
 * Answers to the queries a logged-in companion sends: pre-key count, upload
 * and digest, key bundles of other devices, usync (devices, contact, LID),
 * props, blocklist, privacy, pings, passive mode, stats, logout. Minimal, but
 * in the shapes Baileys parses.
 */
import { type BinaryNode } from '@whiskeysockets/baileys';
import { IqError, type Stream, type WaServer } from './wa-server.js';
import { deviceOf, type Account, type DeviceKeys, type World } from './world.js';

function children(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}
function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return children(node).find((c) => c.tag === tag);
}
function bytes(node: BinaryNode | undefined): Buffer {
  const content = node?.content;
  return content instanceof Uint8Array ? Buffer.from(content) : Buffer.from(String(content ?? ''));
}
function uint(node: BinaryNode | undefined): number {
  const b = bytes(node);
  return b.length ? b.readUIntBE(0, b.length) : 0;
}
function be(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  out.writeUIntBE(value, 0, length);
  return out;
}

function me(stream: Stream): { account: Account; keys: DeviceKeys } {
  if (!stream.account || !stream.device) throw new IqError(401, 'not-authorized');
  return { account: stream.account, keys: stream.device.keys };
}

export function answerSessionQueries(server: WaServer, world: World, onLogout: (stream: Stream) => void): void {
  server.iq('encrypt', 'count', (stream) => [{ tag: 'count', attrs: { value: String(me(stream).keys.preKeys.size) } }]);

  server.iq('encrypt', 'registration', (stream, node) => {
    const { keys } = me(stream);
    keys.registrationId = uint(child(node, 'registration'));
    keys.identity = bytes(child(node, 'identity'));
    for (const key of children(child(node, 'list'))) keys.preKeys.set(uint(child(key, 'id')), bytes(child(key, 'value')));
    const skey = child(node, 'skey');
    if (skey) keys.signedPreKey = { id: uint(child(skey, 'id')), public: bytes(child(skey, 'value')), signature: bytes(child(skey, 'signature')) };
    return [];
  });

  server.iq('encrypt', 'rotate', (stream, node) => {
    const skey = child(child(node, 'rotate'), 'skey');
    if (!skey) throw new IqError(400, 'bad-request');
    me(stream).keys.signedPreKey = { id: uint(child(skey, 'id')), public: bytes(child(skey, 'value')), signature: bytes(child(skey, 'signature')) };
    return [];
  });

  server.iq('encrypt', 'digest', (stream) => {
    const { keys } = me(stream);
    return [
      {
        tag: 'digest',
        attrs: {},
        content: [
          { tag: 'type', attrs: {}, content: Buffer.from([5]) },
          { tag: 'registration', attrs: {}, content: be(keys.registrationId, 4) },
          { tag: 'identity', attrs: {}, content: Buffer.from(keys.identity) },
          skeyNode(keys),
          { tag: 'list', attrs: {}, content: [...keys.preKeys.keys()].map((id) => ({ tag: 'id', attrs: {}, content: be(id, 3) })) },
        ],
      },
    ];
  });

  // key bundles of the devices a companion is about to encrypt for
  server.iq('encrypt', 'key', async (stream, node) => {
    me(stream);
    const users: BinaryNode[] = [];
    for (const user of children(child(node, 'key'))) {
      const jid = user.attrs.jid ?? '';
      const account = world.find(jid);
      const { device } = deviceOf(jid);
      const keys = account ? await bundleOf(account, device) : undefined;
      if (!keys) {
        users.push({ tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
        continue;
      }
      const [preKeyId, preKey] = keys.preKeys.entries().next().value ?? [];
      if (preKeyId !== undefined && device !== 0) keys.preKeys.delete(preKeyId);
      users.push({
        tag: 'user',
        attrs: { jid },
        content: [
          { tag: 'registration', attrs: {}, content: be(keys.registrationId, 4) },
          { tag: 'type', attrs: {}, content: Buffer.from([5]) },
          { tag: 'identity', attrs: {}, content: Buffer.from(keys.identity) },
          skeyNode(keys),
          ...(preKey ? [{ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: be(preKeyId!, 3) }, { tag: 'value', attrs: {}, content: Buffer.from(preKey) }] }] : []),
        ],
      });
    }
    return [{ tag: 'list', attrs: {}, content: users }];
  });

  server.iq('usync', 'usync', (stream, node) => {
    me(stream);
    const usync = child(node, 'usync')!;
    const protocols = children(child(usync, 'query')).map((p) => p.tag);
    const users = children(child(usync, 'list')).map((user) => {
      const phoneQuery = child(user, 'contact');
      const asked = user.attrs.jid ?? (phoneQuery ? `${bytes(phoneQuery).toString().replace(/\D/g, '')}@s.whatsapp.net` : '');
      const account = world.find(asked);
      const jid = account ? (asked.endsWith('@lid') ? account.lidJid : account.jid) : asked;
      const content: BinaryNode[] = [];
      for (const protocol of protocols) {
        if (protocol === 'devices' && account) {
          content.push({
            tag: 'devices',
            attrs: {},
            content: [
              {
                tag: 'device-list',
                attrs: {},
                content: [{ tag: 'device', attrs: { id: '0' } }, ...[...account.devices.keys()].map((id) => ({ tag: 'device', attrs: { id: String(id), 'key-index': String(id) } }))],
              },
            ],
          });
        } else if (protocol === 'contact') {
          content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } });
        } else if (protocol === 'lid' && account) {
          content.push({ tag: 'lid', attrs: { val: account.lidJid } });
        } else if (protocol === 'status' && account) {
          content.push({ tag: 'status', attrs: { t: '0' }, content: Buffer.from('Hey there! I am using WhatsApp.') });
        }
      }
      return { tag: 'user', attrs: { jid }, content };
    });
    return [{ tag: 'usync', attrs: { ...usync.attrs }, content: [{ tag: 'result', attrs: {}, content: [] }, { tag: 'list', attrs: {}, content: users }] }];
  });

  server.iq('w:p', 'ping', () => []);
  server.iq('passive', 'active', () => []);
  server.iq('passive', 'passive', () => []);
  server.iq('w:stats', 'add', () => []);
  server.iq('abt', 'props', () => [{ tag: 'props', attrs: { protocol: '1', hash: 'double' }, content: [] }]);
  server.iq('blocklist', '*', () => [{ tag: 'list', attrs: {}, content: [] }]);
  server.iq('privacy', 'privacy', () => [
    {
      tag: 'privacy',
      attrs: {},
      content: ['last', 'online', 'profile', 'status', 'readreceipts', 'groupadd'].map((name) => ({ tag: 'category', attrs: { name, value: 'all' } })),
    },
  ]);
  // privacy tokens a companion issues to contacts: accepted, not simulated further
  server.iq('privacy', 'tokens', () => []);
  // the companion unlinks itself (logout)
  server.iq('md', 'remove-companion-device', (stream) => {
    const { account } = me(stream);
    account.devices.delete(stream.device!.id);
    setImmediate(() => onLogout(stream));
    return [];
  });
}

async function bundleOf(account: Account, device: number): Promise<DeviceKeys | undefined> {
  if (device === 0) return account.primary.bundle();
  return account.devices.get(device)?.keys;
}

function skeyNode(keys: DeviceKeys): BinaryNode {
  return {
    tag: 'skey',
    attrs: {},
    content: [
      { tag: 'id', attrs: {}, content: be(keys.signedPreKey.id, 3) },
      { tag: 'value', attrs: {}, content: Buffer.from(keys.signedPreKey.public) },
      { tag: 'signature', attrs: {}, content: Buffer.from(keys.signedPreKey.signature) },
    ],
  };
}
