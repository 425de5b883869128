/**
 * The WhatsApp double: WhatsApp's servers and the phones around them, on a
 * local WebSocket, for the real Baileys socket inside a real tucan. One
 * layer per concern, composed here in order: transport, linking, session
 * queries, messaging, faults. See docs/whatsapp-double.md for what it
 * simplifies.
 */
import { makeAuthority, trustRoot } from './certificates.js';
import { Faults } from './faults.js';
import { Groups } from './groups.js';
import { Linking, type LinkOutcome } from './linking.js';
import { Messaging } from './messaging.js';
import { answerSessionQueries } from './session-queries.js';
import { SignalPeer } from './signal-peer.js';
import { WaServer, type Stream } from './wa-server.js';
import { Account, World } from './world.js';

export interface DoubleOptions {
  /** WhatsApp's companion_reg_refresh after a QR scan (on since late July 2026). */
  qrRefresh?: boolean;
  log?: (line: string) => void;
}

export interface WaDouble {
  /** The `ws://` URL for `baileys.webSocketUrl`. */
  url: string;
  world: World;
  server: WaServer;
  linking: Linking;
  messaging: Messaging;
  groups: Groups;
  faults: Faults;
  /** A WhatsApp user with a primary phone (and Signal identity). */
  addPhone(phone: string, pushName?: string): Account;
  scan(phone: Account, qr: string): Promise<LinkOutcome>;
  typeCode(phone: Account, code: string): Promise<LinkOutcome>;
  /** Open streams of an account's linked companions. */
  streams(phone: Account): Stream[];
  close(): Promise<void>;
}

let lids = 100_000_000_000_000;

export async function startWaDouble(options: DoubleOptions = {}): Promise<WaDouble> {
  const authority = makeAuthority();
  const untrust = trustRoot(authority.root.public);
  const world = new World();
  const server = new WaServer(authority);
  if (options.log) server.log = options.log;
  const linking = new Linking(server, world, { qrRefresh: options.qrRefresh ?? true, refs: 6 });
  answerSessionQueries(server, world, (stream) => stream.close());
  const groups = new Groups(server);
  const messaging = new Messaging(server, world, linking, groups);
  linking.onLogin = (stream) => messaging.flushOffline(stream);
  // telemetry and presence need no answer
  server.on('ib', () => undefined);
  server.on('presence', () => undefined);
  server.on('chatstate', () => undefined);
  server.hooks = {
    onHello: (stream, hello) => linking.hello(stream, hello),
    onClose: (stream) => {
      linking.closed(stream);
      messaging.streamClosed(stream);
    },
  };
  const url = await server.listen();
  const streams = (phone: Account) => [...server.streams].filter((s) => s.account === phone && !s.closed);

  return {
    url,
    world,
    server,
    linking,
    messaging,
    groups,
    addPhone(phone, pushName = `User ${phone.slice(-4)}`) {
      const primary = new SignalPeer();
      return world.add(new Account(phone, String(lids++), primary, primary.creds.signedIdentityKey, pushName));
    },
    scan: (phone, qr) => linking.scan(phone, qr),
    typeCode: (phone, code) => linking.typeCode(phone, code),
    streams,
    faults: new Faults(streams),
    async close() {
      await server.close();
      untrust();
    },
  };
}
