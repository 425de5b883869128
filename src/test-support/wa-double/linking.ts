/**
 * Linking a companion, as WhatsApp's servers and a primary phone do it:
 * registration answered with `pair-device` refs, a phone that scans the QR
 * (or types a pairing code), the signed device identity, the `515` restart,
 * and later logins with the stored creds.
 *
 * Today's behaviour is a switch: with `qrRefresh` on (the default, as on
 * WhatsApp since late July 2026) the first scan of a QR gets a
 * `companion_reg_refresh` notification and retires the scanned adv secret;
 * only a QR showing a new secret links.
 */
import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import type { Hello } from './noise-server.js';
import { IqError, SERVER_JID, type Stream, type WaServer } from './wa-server.js';
import type { Account, DeviceKeys, World } from './world.js';

export interface LinkingOptions {
  qrRefresh: boolean;
  /** How many refs a `pair-device` carries (WhatsApp sends 6). */
  refs: number;
}

/** What the phone's screen says after a scan or a typed code. */
export type LinkOutcome = 'linked' | 'refreshed' | 'refused';

interface Registration {
  stream: Stream;
  noiseKey: Uint8Array;
  keys: DeviceKeys;
  refs: string[];
  retiredSecret?: string;
  refreshed: boolean;
  platform: string;
  code?: { jid: string; wrappedEphemeral: Buffer; ref: string };
  linking?: Promise<LinkOutcome>;
}

function bigEndian(bytes: Uint8Array | null | undefined): number {
  return bytes ? Buffer.from(bytes).readUIntBE(0, bytes.length) : 0;
}

function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return Array.isArray(node?.content) ? node.content.find((c) => c.tag === tag) : undefined;
}

function bytes(node: BinaryNode | undefined): Buffer | undefined {
  const content = node?.content;
  return content instanceof Uint8Array ? Buffer.from(content) : typeof content === 'string' ? Buffer.from(content) : undefined;
}

export class Linking {
  private readonly registrations = new Map<Stream, Registration>();
  /** Streams of linked devices: `phone:device` → stream. */
  readonly online = new Map<string, Stream>();
  /** Logins refused (unknown device or wrong noise key), by the number they claimed. */
  readonly refusedLogins: string[] = [];
  /** What each companion announced: its WhatsApp Web version, and the name shown for a pairing code. */
  readonly announced: Array<{ version: string; display?: string }> = [];
  onLogin?: (stream: Stream) => void | Promise<void>;

  constructor(
    private readonly server: WaServer,
    private readonly world: World,
    private readonly options: LinkingOptions,
  ) {
    server.iq('md', 'link_code_companion_reg', (stream, node) => this.codeStage(stream, node));
  }

  async hello(stream: Stream, hello: Hello): Promise<void> {
    const v = hello.payload.userAgent?.appVersion;
    this.announced.push({ version: `${v?.primary}.${v?.secondary}.${v?.tertiary}` });
    const pairing = hello.payload.devicePairingData;
    if (pairing) return this.register(stream, hello, pairing);
    return this.login(stream, hello);
  }

  closed(stream: Stream): void {
    this.registrations.delete(stream);
    if (stream.jid && this.online.get(this.key(stream)) === stream) this.online.delete(this.key(stream));
  }

  streamOf(account: Account, device: number): Stream | undefined {
    return this.online.get(`${account.phone}:${device}`);
  }

  /** The phone scans a QR exactly as shown to the owner. */
  async scan(phone: Account, qr: string): Promise<LinkOutcome> {
    const fields = qr.slice(qr.indexOf('#') + 1).split(',');
    const [ref, noiseKey, identity, advSecret] = fields;
    const registration = [...this.registrations.values()].find((r) => r.refs.includes(ref ?? ''));
    if (!registration || !advSecret || registration.stream.closed) return 'refused';
    if (Buffer.from(noiseKey ?? '', 'base64').compare(registration.noiseKey) !== 0) return 'refused';
    if (Buffer.from(identity ?? '', 'base64').compare(registration.keys.identity) !== 0) return 'refused';
    if (advSecret === registration.retiredSecret) return 'refused';
    if (this.options.qrRefresh && !registration.refreshed) {
      registration.refreshed = true;
      registration.retiredSecret = advSecret;
      registration.stream.send({
        tag: 'notification',
        attrs: { from: SERVER_JID, type: 'companion_reg_refresh', id: this.server.tag(), t: now() },
        content: [{ tag: 'companion_reg_refresh', attrs: {} }],
      });
      return 'refreshed';
    }
    return this.pair(phone, registration, Buffer.from(advSecret, 'base64'));
  }

  /** The phone types the pairing code shown to the owner. */
  async typeCode(phone: Account, code: string): Promise<LinkOutcome> {
    const registration = [...this.registrations.values()].find((r) => r.code?.jid === phone.jid && !r.stream.closed);
    if (!registration?.code) return 'refused';
    const wrapped = registration.code.wrappedEphemeral;
    const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), await derivePairingCodeKey(code, wrapped.subarray(0, 32)), wrapped.subarray(32, 48));
    const primaryEphemeral = Curve.generateKeyPair();
    const salt = randomBytes(32);
    const iv = randomBytes(16);
    const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEphemeral.public, await derivePairingCodeKey(code, salt), iv)]);
    const finished = new Promise<LinkOutcome>((resolve) => {
      this.codeFinish.set(registration, { phone, primaryEphemeral, companionEphemeral, resolve });
    });
    registration.stream.send({
      tag: 'notification',
      attrs: { from: SERVER_JID, type: 'link_code_companion_reg', id: this.server.tag(), t: now() },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: { stage: 'primary_hello' },
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(registration.code.ref) },
            { tag: 'primary_identity_pub', attrs: {}, content: Buffer.from(phone.accountKey.public) },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
          ],
        },
      ],
    });
    return withTimeout(finished, 10_000, 'refused');
  }

  private readonly codeFinish = new Map<
    Registration,
    { phone: Account; primaryEphemeral: { public: Uint8Array; private: Uint8Array }; companionEphemeral: Buffer; resolve(outcome: LinkOutcome): void }
  >();

  private async register(stream: Stream, hello: Hello, pairing: NonNullable<proto.IClientPayload["devicePairingData"]>): Promise<void> {
    const props = pairing.deviceProps ? proto.DeviceProps.decode(pairing.deviceProps) : undefined;
    const registration: Registration = {
      stream,
      noiseKey: hello.clientStatic,
      keys: {
        registrationId: bigEndian(pairing.eRegid),
        identity: Buffer.from(pairing.eIdent!),
        signedPreKey: { id: bigEndian(pairing.eSkeyId), public: Buffer.from(pairing.eSkeyVal!), signature: Buffer.from(pairing.eSkeySig!) },
        preKeys: new Map(),
      },
      refs: Array.from({ length: this.options.refs }, () => `2@${randomBytes(24).toString('base64')}`),
      refreshed: false,
      platform: props?.os ?? 'unknown',
    };
    this.registrations.set(stream, registration);
    await stream.query({
      tag: 'iq',
      attrs: { from: SERVER_JID, type: 'set', xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: registration.refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
  }

  private async pair(phone: Account, registration: Registration, advSecret: Buffer): Promise<LinkOutcome> {
    if (registration.linking) return registration.linking;
    registration.linking = this.signDevice(phone, registration, advSecret);
    return registration.linking;
  }

  private async signDevice(phone: Account, registration: Registration, advSecret: Buffer): Promise<LinkOutcome> {
    const device = phone.allocateDevice();
    const details = proto.ADVDeviceIdentity.encode({ rawId: randomBytes(4).readUInt32BE(), timestamp: Math.floor(Date.now() / 1000), keyIndex: device, deviceType: proto.ADVEncryptionType.E2EE }).finish();
    const accountSignature = Curve.sign(phone.accountKey.private, Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, registration.keys.identity]));
    const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: phone.accountKey.public, accountSignature }).finish();
    const container = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmacSign(signed, advSecret) }).finish();
    let answer: BinaryNode;
    try {
      answer = await registration.stream.query({
        tag: 'iq',
        attrs: { from: SERVER_JID, type: 'set', xmlns: 'md', t: now() },
        content: [
          {
            tag: 'pair-success',
            attrs: {},
            content: [
              { tag: 'device-identity', attrs: {}, content: Buffer.from(container) },
              { tag: 'platform', attrs: { name: 'android' } },
              { tag: 'device', attrs: { jid: `${phone.phone}:${device}@s.whatsapp.net`, lid: `${phone.lid}:${device}@lid` } },
            ],
          },
        ],
      });
    } catch {
      return 'refused';
    }
    const returned = bytes(child(child(answer, 'pair-device-sign'), 'device-identity'));
    if (!returned) return 'refused';
    const account = proto.ADVSignedDeviceIdentity.decode(returned);
    const deviceMessage = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, details, registration.keys.identity, phone.accountKey.public]);
    if (!account.deviceSignature || !Curve.verify(registration.keys.identity, deviceMessage, account.deviceSignature)) return 'refused';
    phone.devices.set(device, { id: device, noiseKey: registration.noiseKey, keys: registration.keys, platform: registration.platform });
    this.registrations.delete(registration.stream);
    // WhatsApp asks a newly paired companion to reconnect and log in
    registration.stream.streamError(515);
    return 'linked';
  }

  private async codeStage(stream: Stream, node: BinaryNode): Promise<BinaryNode[]> {
    const reg = child(node, 'link_code_companion_reg');
    const registration = this.registrations.get(stream);
    if (!reg || !registration) throw new IqError(400, 'bad-request');
    if (reg.attrs.stage === 'companion_hello') {
      const wrapped = bytes(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
      if (!wrapped || wrapped.length < 80 || !reg.attrs.jid) throw new IqError(400, 'bad-request');
      const ref = randomBytes(16).toString('base64');
      registration.code = { jid: reg.attrs.jid.replace(/:\d+@/, '@'), wrappedEphemeral: wrapped, ref };
      this.announced.push({ version: '', display: bytes(child(reg, 'companion_platform_display'))?.toString() ?? '' });
      return [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref) }] }];
    }
    if (reg.attrs.stage === 'companion_finish') {
      const pending = this.codeFinish.get(registration);
      const bundle = bytes(child(reg, 'link_code_pairing_wrapped_key_bundle'));
      if (!pending || !bundle) throw new IqError(400, 'bad-request');
      this.codeFinish.delete(registration);
      const shared = Curve.sharedKey(pending.primaryEphemeral.private, pending.companionEphemeral);
      let plain: Buffer;
      try {
        const key = hkdf(shared, 32, { salt: bundle.subarray(0, 32), info: 'link_code_pairing_key_bundle_encryption_key' });
        plain = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0));
      } catch {
        // a wrong code: the companion wrapped its bundle for keys the phone does not have
        pending.resolve('refused');
        throw new IqError(400, 'bad-request');
      }
      const companionIdentity = plain.subarray(0, 32);
      if (companionIdentity.compare(Buffer.from(registration.keys.identity)) !== 0) {
        pending.resolve('refused');
        throw new IqError(400, 'bad-request');
      }
      const identityShared = Curve.sharedKey(pending.phone.accountKey.private, companionIdentity);
      const advSecret = Buffer.from(hkdf(Buffer.concat([shared, identityShared, plain.subarray(64, 96)]), 32, { info: 'adv_secret' }));
      setImmediate(() => void this.pair(pending.phone, registration, advSecret).then(pending.resolve));
      return [];
    }
    throw new IqError(400, 'bad-request');
  }

  private async login(stream: Stream, hello: Hello): Promise<void> {
    const account = this.world.find(String(hello.payload.username ?? ''));
    const device = account?.devices.get(hello.payload.device ?? -1);
    if (!account || !device || Buffer.from(hello.clientStatic).compare(Buffer.from(device.noiseKey)) !== 0) {
      this.refusedLogins.push(String(hello.payload.username ?? ''));
      return stream.failure(401);
    }
    stream.account = account;
    stream.device = device;
    // a second login of the same device replaces the first (440 on the old stream)
    this.online.get(this.key(stream))?.streamError(440, { tag: 'conflict', attrs: { type: 'replaced' } });
    this.online.set(this.key(stream), stream);
    stream.send({ tag: 'success', attrs: { t: now(), lid: `${account.lid}:${device.id}@lid`, location: 'double', creation: now() } });
    await this.onLogin?.(stream);
  }

  private key(stream: Stream): string {
    return `${stream.account!.phone}:${stream.device!.id}`;
  }
}

function now(): string {
  return String(Math.floor(Date.now() / 1000));
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
