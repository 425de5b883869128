/**
 * The double's front door: a WebSocket server speaking Noise, and one
 * `Stream` per connection that sends and receives binary nodes. What a node
 * means is decided by the handlers other modules register (linking, queries,
 * messaging), as Baileys' socket layers each listen for their own stanzas.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Curve, type BinaryNode } from '@whiskeysockets/baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authority, KeyPair } from './certificates.js';
import { NoiseServer, type Hello } from './noise-server.js';
import type { Account, CompanionDevice } from './world.js';

export const SERVER_JID = 's.whatsapp.net';

export type NodeHandler = (stream: Stream, node: BinaryNode) => void | Promise<void>;
/** An iq handler answers with the result's content, or throws an `IqError`. */
export type IqHandler = (stream: Stream, node: BinaryNode) => BinaryNode[] | undefined | Promise<BinaryNode[] | undefined>;

export class IqError extends Error {
  constructor(readonly code: number, text: string) {
    super(text);
  }
}

export class Stream {
  /** Set once the stream logged in as a linked companion. */
  account?: Account;
  device?: CompanionDevice;
  hello?: Hello;
  closed = false;
  /** Silent: nothing is answered or sent any more (keep-alive faults). */
  muted = false;
  private readonly waiting = new Map<string, (node: BinaryNode) => void>();

  constructor(
    readonly ws: WebSocket,
    readonly noise: NoiseServer,
    private readonly server: WaServer,
  ) {}

  get jid(): string | undefined {
    return this.account && this.device ? `${this.account.phone}:${this.device.id}@s.whatsapp.net` : undefined;
  }

  send(node: BinaryNode): void {
    if (this.closed || this.muted) return;
    this.server.trace('out', this, node);
    this.noise.send(node);
  }

  /** A server-initiated iq; resolves with the client's answer. */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? this.server.tag();
    node.attrs.id = id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to ${node.tag} ${id}`));
      }, timeoutMs);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.send(node);
    });
  }

  /** `<stream:error code=…>`, then the connection closes, as WhatsApp does. */
  streamError(code: number, child?: BinaryNode): void {
    this.send({ tag: 'stream:error', attrs: { code: String(code) }, content: child ? [child] : undefined });
    this.close();
  }

  /** `<failure reason=…>`: the login is refused. */
  failure(reason: number): void {
    this.send({ tag: 'failure', attrs: { reason: String(reason), location: 'double' } });
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close();
  }

  /** Drops the TCP connection without a closing handshake. */
  drop(): void {
    this.closed = true;
    this.ws.terminate();
  }

  answered(node: BinaryNode): boolean {
    const waiter = this.waiting.get(node.attrs.id ?? '');
    if (!waiter) return false;
    this.waiting.delete(node.attrs.id!);
    waiter(node);
    return true;
  }
}

export interface ServerHooks {
  onHello(stream: Stream, hello: Hello): void | Promise<void>;
  onClose(stream: Stream): void;
}

export class WaServer {
  private wss?: WebSocketServer;
  private readonly staticKey: KeyPair = Curve.generateKeyPair();
  private readonly chain: Uint8Array;
  private readonly iqs = new Map<string, IqHandler>();
  private readonly nodes = new Map<string, NodeHandler>();
  readonly streams = new Set<Stream>();
  private counter = 0;
  hooks?: ServerHooks;
  /** Every stanza in and out, when a test wants to see the conversation. */
  log?: (line: string) => void;

  constructor(authority: Authority) {
    this.chain = authority.chainFor(this.staticKey.public);
  }

  tag(): string {
    return `${randomBytes(2).toString('hex')}.${++this.counter}`;
  }

  /** `xmlns` plus the first child's tag, e.g. `encrypt/count`. */
  iq(xmlns: string, child: string, handler: IqHandler): void {
    this.iqs.set(`${xmlns}/${child}`, handler);
  }

  on(tag: string, handler: NodeHandler): void {
    this.nodes.set(tag, handler);
  }

  async listen(): Promise<string> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.wss!.once('listening', () => resolve()));
    this.wss.on('connection', (ws) => this.accept(ws));
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws/chat`;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.drop();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  trace(direction: 'in' | 'out', stream: Stream, node: BinaryNode): void {
    if (!this.log) return;
    const children = Array.isArray(node.content) ? node.content.map((c) => c.tag).join(',') : '';
    this.log(`${direction} ${stream.jid ?? '-'} <${node.tag} ${JSON.stringify(node.attrs)}> ${children}`);
  }

  private accept(ws: WebSocket): void {
    let stream: Stream | undefined = undefined;
    const noise = new NoiseServer(this.staticKey, this.chain, {
      write: (bytes) => ws.send(bytes),
      onHello: (hello) => {
        stream!.hello = hello;
        void Promise.resolve(this.hooks?.onHello(stream!, hello)).catch((error: Error) => this.fail(stream!, error));
      },
      onNode: (node) => void this.dispatch(stream!, node),
      onError: (error) => this.fail(stream!, error),
    });
    stream = new Stream(ws, noise, this);
    this.streams.add(stream);
    ws.on('message', (data: Buffer) => {
      if (!stream!.muted) noise.receive(data);
    });
    ws.on('close', () => {
      stream!.closed = true;
      this.streams.delete(stream!);
      this.hooks?.onClose(stream!);
    });
    ws.on('error', () => undefined);
  }

  private fail(stream: Stream, error: Error): void {
    this.log?.(`error ${stream.jid ?? '-'} ${error.stack ?? error.message}`);
    stream.close();
  }

  private async dispatch(stream: Stream, node: BinaryNode): Promise<void> {
    if (stream.muted) return;
    this.trace('in', stream, node);
    try {
      if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
        stream.answered(node);
        return;
      }
      if (node.tag === 'iq') return await this.answerIq(stream, node);
      const handler = this.nodes.get(node.tag);
      if (handler) await handler(stream, node);
      else this.log?.(`unhandled <${node.tag}>`);
    } catch (error) {
      this.fail(stream, error as Error);
    }
  }

  private async answerIq(stream: Stream, node: BinaryNode): Promise<void> {
    const child = Array.isArray(node.content) ? node.content[0]?.tag ?? '' : '';
    const handler = this.iqs.get(`${node.attrs.xmlns}/${child}`) ?? this.iqs.get(`${node.attrs.xmlns}/*`);
    const attrs = { id: node.attrs.id!, from: SERVER_JID, t: String(Math.floor(Date.now() / 1000)) };
    if (!handler) {
      this.log?.(`unanswered iq ${node.attrs.xmlns}/${child}`);
      stream.send({ tag: 'iq', attrs: { ...attrs, type: 'error' }, content: [{ tag: 'error', attrs: { code: '501', text: 'feature-not-implemented' } }] });
      return;
    }
    try {
      const content = await handler(stream, node);
      stream.send({ tag: 'iq', attrs: { ...attrs, type: 'result' }, content });
    } catch (error) {
      if (!(error instanceof IqError)) throw error;
      stream.send({ tag: 'iq', attrs: { ...attrs, type: 'error' }, content: [{ tag: 'error', attrs: { code: String(error.code), text: error.message } }] });
    }
  }
}
