/**
 * A real Signal client for a simulated phone: Baileys' own libsignal
 * repository over an in-memory key store. It encrypts what a contact sends
 * and decrypts what tucan sent it, so tests read the exact content.
 */
import {
  Curve,
  encodeWAMessage,
  initAuthCreds,
  proto,
  unpadRandomMax16,
  type AuthenticationCreds,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import { makeLibSignalRepository } from '@whiskeysockets/baileys/lib/Signal/libsignal.js';
import { pino } from 'pino';
import type { DeviceKeys } from './device-keys.js';

type Repository = ReturnType<typeof makeLibSignalRepository>;

function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    // one simulated phone runs one operation at a time: no isolation needed
    transaction: async <T>(work: () => Promise<T>) => work(),
    isInTransaction: () => false,
    async get(type, ids) {
      const out: Record<string, unknown> = {};
      for (const id of ids) {
        const value = data.get(`${type}/${id}`);
        if (value !== undefined) out[id] = value;
      }
      return out as never;
    },
    async set(update) {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}/${id}`);
          else data.set(`${type}/${id}`, value);
        }
      }
    },
  } as SignalKeyStore;
}

const silent = pino({ level: 'silent' });

export class SignalPeer {
  readonly creds: AuthenticationCreds;
  private readonly keys = memoryKeys();
  private readonly repository: Repository;
  private nextPreKey = 1;

  constructor() {
    this.creds = initAuthCreds();
    this.repository = makeLibSignalRepository({ creds: this.creds, keys: this.keys }, silent as never);
  }

  get identityKey(): Uint8Array {
    return this.creds.signedIdentityKey.public;
  }

  /** A one-time pre-key bundle for someone starting a session with this device. */
  async bundle(): Promise<DeviceKeys & { preKeyId: number }> {
    const id = this.nextPreKey++;
    const pair = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [id]: pair } } as Partial<SignalDataTypeMap> as never);
    const spk = this.creds.signedPreKey;
    return {
      registrationId: this.creds.registrationId,
      identity: this.creds.signedIdentityKey.public,
      signedPreKey: { id: spk.keyId, public: spk.keyPair.public, signature: spk.signature },
      preKeys: new Map([[id, pair.public]]),
      preKeyId: id,
    };
  }

  /** Starts a session with a device from its published keys (one pre-key is used up). */
  async startSession(jid: string, keys: DeviceKeys): Promise<void> {
    const [preKeyId, preKey] = keys.preKeys.entries().next().value ?? [];
    if (preKeyId !== undefined) keys.preKeys.delete(preKeyId);
    await this.repository.injectE2ESession({
      jid,
      session: {
        registrationId: keys.registrationId,
        identityKey: withType(keys.identity),
        signedPreKey: { keyId: keys.signedPreKey.id, publicKey: withType(keys.signedPreKey.public), signature: keys.signedPreKey.signature },
        ...(preKey ? { preKey: { keyId: preKeyId!, publicKey: withType(preKey) } } : {}),
      },
    });
  }

  async hasSession(jid: string): Promise<boolean> {
    return (await this.repository.validateSession(jid)).exists;
  }

  async encrypt(jid: string, message: proto.IMessage): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }> {
    return this.repository.encryptMessage({ jid, data: encodeWAMessage(message) });
  }

  async decrypt(jid: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.Message> {
    const plain = await this.repository.decryptMessage({ jid, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(plain));
  }

  async decryptGroup(group: string, authorJid: string, ciphertext: Uint8Array): Promise<proto.Message> {
    const plain = await this.repository.decryptGroupMessage({ group, authorJid, msg: ciphertext });
    return proto.Message.decode(unpadRandomMax16(plain));
  }

  async processSenderKey(authorJid: string, item: proto.Message.ISenderKeyDistributionMessage): Promise<void> {
    await this.repository.processSenderKeyDistributionMessage({ item, authorJid });
  }

  async encryptGroup(group: string, meId: string, message: proto.IMessage) {
    return this.repository.encryptGroupMessage({ group, meId, data: encodeWAMessage(message) });
  }
}

function withType(key: Uint8Array): Uint8Array {
  return key.length === 33 ? key : Buffer.concat([Buffer.from([5]), key]);
}
