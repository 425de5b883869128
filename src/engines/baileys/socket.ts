/**
 * The socket seam. The adapter is typed against the small part of WASocket it
 * uses, so tests drive it with a fake of exactly that shape, and production
 * builds the real `makeWASocket` here — with every option that keeps a
 * gateway safe, not the library defaults.
 */
import makeWASocket, {
  type AuthenticationState,
  type CacheStore,
  type GroupMetadata,
  type WAMessageKey,
  type WASocket,
  type WAVersion,
  type proto,
} from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';

/** Listening to raw stanzas, as Baileys' WebSocketClient (an EventEmitter) allows. */
export interface StanzaEmitter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** What the adapter calls on a socket (fact sheet §9), and nothing more. */
export type BaileysSocket = Pick<
  WASocket,
  | 'ev'
  | 'user'
  | 'sendMessage'
  | 'onWhatsApp'
  | 'profilePictureUrl'
  | 'fetchStatus'
  | 'groupFetchAllParticipating'
  | 'groupMetadata'
  | 'sendPresenceUpdate'
  | 'logout'
  | 'end'
  | 'requestPairingCode'
  | 'updateMediaMessage'
  | 'readMessages'
> & {
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
  /** The raw stanza emitter ('CB:<tag>' events): only for what rc14 drops (see qr-refresh.ts). */
  ws: StanzaEmitter;
};

/** What each new socket is given; the caches live in the engine so they survive reconnects. */
export interface SocketOptions {
  auth: AuthenticationState;
  /** The WhatsApp Web version this socket announces (see wa-version.ts). */
  version: WAVersion;
  /** Resends a message when a recipient's device asks for a retry. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  /** Used on every group send instead of a metadata query. */
  cachedGroupMetadata(jid: string): Promise<GroupMetadata | undefined>;
  /** Retry counts per message; outside the socket so they survive reconnects. */
  msgRetryCounterCache: CacheStore;
}

export type SocketFactory = (options: SocketOptions) => BaileysSocket;

export interface RealSocketConfig {
  logger: ILogger;
  /** Overrides for tests (e.g. a local URL); production uses Baileys' defaults. */
  waWebSocketUrl?: string;
  connectTimeoutMs?: number;
  keepAliveIntervalMs?: number;
  /** How the companion names itself (see browser-name.ts); Baileys' default is Chrome on Mac OS. */
  browser?: [string, string, string];
}

export function realSocketFactory(config: RealSocketConfig): SocketFactory {
  return (options) =>
    makeWASocket({
      auth: options.auth,
      version: options.version,
      logger: config.logger,
      // the phone keeps its notifications; the bot is not "online" just because it is linked
      markOnlineOnConnect: false,
      // a gateway needs recent history for LID mappings, not the whole archive
      syncFullHistory: false,
      // the outbox already records what tucan sends (and the sandbox engine never echoes sends):
      // no local echo of our own messages as upserts
      emitOwnEvents: false,
      getMessage: options.getMessage,
      cachedGroupMetadata: options.cachedGroupMetadata,
      msgRetryCounterCache: options.msgRetryCounterCache,
      ...(config.waWebSocketUrl ? { waWebSocketUrl: config.waWebSocketUrl } : {}),
      ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
      ...(config.keepAliveIntervalMs ? { keepAliveIntervalMs: config.keepAliveIntervalMs } : {}),
      ...(config.browser ? { browser: config.browser } : {}),
    });
}
