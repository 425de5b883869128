/**
 * The server half of the Noise XX handshake Baileys performs
 * (`lib/Utils/noise-handler.js` is the client half), and the framing both
 * sides use afterwards: a 3-byte length, then an AES-GCM sealed binary node.
 */
import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  hkdf,
  NOISE_MODE,
  NOISE_WA_HEADER,
  proto,
  sha256,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import type { KeyPair } from './certificates.js';

const EMPTY = Buffer.alloc(0);

function iv(counter: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(counter, 8);
  return out;
}

class Cipher {
  private counter = 0;
  constructor(private readonly key: Uint8Array) {}
  seal(data: Uint8Array, aad: Uint8Array = EMPTY): Buffer {
    return aesEncryptGCM(data, this.key, iv(this.counter++), aad);
  }
  open(data: Uint8Array, aad: Uint8Array = EMPTY): Buffer {
    return aesDecryptGCM(data, this.key, iv(this.counter++), aad);
  }
}

/** Handshake state, mirrored from the client: a running hash, a salt, one key. */
class Handshake {
  private hash: Buffer;
  private salt: Buffer;
  private cipher: Cipher;

  constructor() {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.cipher = new Cipher(this.hash);
  }

  authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  mix(shared: Uint8Array): void {
    const key = Buffer.from(hkdf(Buffer.from(shared), 64, { salt: this.salt, info: '' }));
    this.salt = key.subarray(0, 32);
    this.cipher = new Cipher(key.subarray(32));
  }

  encrypt(data: Uint8Array): Buffer {
    const out = this.cipher.seal(data, this.hash);
    this.authenticate(out);
    return out;
  }

  decrypt(data: Uint8Array): Buffer {
    const out = this.cipher.open(data, this.hash);
    this.authenticate(data);
    return out;
  }

  /** The two transport keys: the client writes with the first, reads with the second. */
  split(): [Buffer, Buffer] {
    const key = Buffer.from(hkdf(EMPTY, 64, { salt: this.salt, info: '' }));
    return [key.subarray(0, 32), key.subarray(32)];
  }
}

export interface Hello {
  /** The client's static (noise) public key, proven by the handshake. */
  clientStatic: Uint8Array;
  payload: proto.ClientPayload;
}

/**
 * One connection's byte stream. `receive` takes raw WebSocket data; the
 * handshake completes on its own, then `onNode` gets every decoded node.
 */
export class NoiseServer {
  private buffered = Buffer.alloc(0);
  private seenIntro = false;
  private handshake = new Handshake();
  private ephemeral?: KeyPair;
  private transport?: { write: Cipher; read: Cipher };
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly staticKey: KeyPair,
    private readonly certChain: Uint8Array,
    private readonly io: {
      write(bytes: Buffer): void;
      onHello(hello: Hello): void;
      onNode(node: BinaryNode): void;
      onError(error: Error): void;
    },
  ) {}

  get ready(): boolean {
    return this.transport !== undefined;
  }

  receive(data: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : Buffer.from(data);
    if (!this.seenIntro) {
      if (this.buffered.length < NOISE_WA_HEADER.length) return;
      const intro = this.buffered.subarray(0, NOISE_WA_HEADER.length);
      if (!intro.equals(NOISE_WA_HEADER)) return this.io.onError(new Error(`unexpected intro ${intro.toString('hex')}`));
      this.seenIntro = true;
      this.handshake.authenticate(NOISE_WA_HEADER);
      this.buffered = this.buffered.subarray(NOISE_WA_HEADER.length);
    }
    for (;;) {
      if (this.buffered.length < 3) return;
      const size = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < size + 3) return;
      const frame = this.buffered.subarray(3, size + 3);
      this.buffered = this.buffered.subarray(size + 3);
      // decoding may inflate asynchronously: keep frames in order
      this.chain = this.chain.then(() => this.frame(frame)).catch((error: Error) => this.io.onError(error));
    }
  }

  send(node: BinaryNode): void {
    if (!this.transport) throw new Error('noise: send before the handshake finished');
    this.writeFrame(this.transport.write.seal(encodeBinaryNode(node)));
  }

  private async frame(frame: Buffer): Promise<void> {
    if (this.transport) {
      this.io.onNode(await decodeBinaryNode(this.transport.read.open(frame)));
      return;
    }
    const message = proto.HandshakeMessage.decode(frame);
    if (message.clientHello?.ephemeral) return this.hello(message.clientHello.ephemeral);
    if (message.clientFinish?.static && message.clientFinish.payload) return this.finish(message.clientFinish);
    throw new Error('noise: unexpected handshake message');
  }

  private hello(clientEphemeral: Uint8Array): void {
    const hs = this.handshake;
    hs.authenticate(clientEphemeral);
    this.ephemeral = Curve.generateKeyPair();
    hs.authenticate(this.ephemeral.public);
    hs.mix(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const staticEnc = hs.encrypt(this.staticKey.public);
    hs.mix(Curve.sharedKey(this.staticKey.private, clientEphemeral));
    const payloadEnc = hs.encrypt(this.certChain);
    this.writeFrame(
      proto.HandshakeMessage.encode({ serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc } }).finish(),
    );
  }

  private finish(finish: proto.HandshakeMessage.IClientFinish): void {
    const hs = this.handshake;
    const clientStatic = hs.decrypt(finish.static!);
    hs.mix(Curve.sharedKey(this.ephemeral!.private, clientStatic));
    const payload = proto.ClientPayload.decode(hs.decrypt(finish.payload!));
    const [clientWrite, clientRead] = hs.split();
    this.transport = { write: new Cipher(clientRead), read: new Cipher(clientWrite) };
    this.io.onHello({ clientStatic, payload });
  }

  private writeFrame(data: Uint8Array): void {
    const frame = Buffer.alloc(3 + data.length);
    frame.writeUIntBE(data.length, 0, 3);
    frame.set(data, 3);
    this.io.write(frame);
  }
}
