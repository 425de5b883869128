/**
 * One instance's WhatsApp connection over time: a chain of sockets, one at a
 * time. It opens a socket with the stored auth state, follows its
 * `connection.update`s (QR, open, close), persists creds on every change,
 * and on close executes what reconnect-policy.ts decides.
 *
 * Invariants:
 * - At most one live socket. Before a reconnect (and on stop) the old socket
 *   is `end()`ed first, and unsubscribed once it has closed; each socket gets
 *   a generation number, and connection updates from an older generation are
 *   ignored, so no orphaned socket or listener survives.
 * - Message, receipt and directory batches are handled whatever their
 *   socket's generation: Baileys acknowledged those messages to WhatsApp
 *   before emitting them, so WhatsApp never sends them again. A batch still
 *   queued when its socket is replaced (the offline flush right after a
 *   reconnect, say) would otherwise be lost for good.
 * - Intentional closes (stop, logout) never reach the policy: `end(undefined)`
 *   emits a close without a code, which would otherwise look like a drop.
 * - Events other than connection and creds updates are handed to `onEvents`
 *   one batch at a time, in order.
 */
import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { Logger } from '../../logger.js';
import type { Random } from '../../domain/random.js';
import { phoneFromJid } from '../../domain/recipient.js';
import { EngineSendError, type ConnectionUpdate, type EngineStatus } from '../engine.js';
import type { BaileysAuthRepo, InstanceAuth } from './auth-state.js';
import { isLinkCodeNotice, linkCodeNoticeGaps } from './link-code-notice.js';
import { isQrRefresh, newAdvSecret, withAdvSecret, type NotificationNode } from './qr-refresh.js';
import { closeCode, decideOnClose, type ReconnectPolicy } from './reconnect-policy.js';
import { versionText, type VersionSource } from './wa-version.js';
import type { BaileysSocket, SocketFactory, SocketOptions } from './socket.js';

export type SocketEvents = Partial<BaileysEventMap>;

export interface ConnectionDeps {
  instanceId: string;
  auth: BaileysAuthRepo;
  /** Whether this process still owns the instance (its auth state is written only then). */
  owns: () => boolean;
  socketFactory: SocketFactory;
  hooks: Omit<SocketOptions, 'auth' | 'version'>;
  /** The WhatsApp Web version each new socket announces. */
  version: VersionSource;
  policy: ReconnectPolicy;
  random: Random;
  log: Logger;
  /** Every status change, for the engine's `connection` event. */
  onStatus(update: ConnectionUpdate): Promise<void>;
  /** Message, receipt, group and contact events of the live socket. */
  onEvents(sock: BaileysSocket, events: SocketEvents): Promise<void>;
}

/** How long a stop waits for the old socket to finish closing. */
const END_WAIT_MS = 3000;

export class Connection {
  private state: EngineStatus = { status: 'disconnected', phone: null, name: null, qr: null, reason: null };
  private sock: BaileysSocket | null = null;
  private unsubscribe: (() => void) | null = null;
  private authState: InstanceAuth | null = null;
  private timer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private generation = 0;
  private attempts = 0;
  private sawQr = false;
  /** The adv secret WhatsApp's QR refresh put in place for this socket's QRs (see qr-refresh.ts), or null. */
  private advSecret: string | null = null;
  private stopping = true;
  private eventQueue: Promise<void> = Promise.resolve();
  private updateQueue: Promise<void> = Promise.resolve();
  private readonly statusWaiters = new Set<() => void>();

  constructor(private readonly deps: ConnectionDeps) {}

  status(): EngineStatus {
    return { ...this.state };
  }

  /** The socket, only while the connection is open. */
  openSocket(): BaileysSocket | null {
    return this.state.status === 'connected' ? this.sock : null;
  }

  /** Whether a socket is live, being opened, or a reconnect is scheduled. */
  get running(): boolean {
    return this.sock !== null || this.timer !== null || this.starting !== null;
  }

  /** Whether the stored creds belong to a linked device (loads them if needed). */
  async linked(): Promise<boolean> {
    this.authState ??= await this.deps.auth.load(this.deps.instanceId, this.deps.owns);
    return this.authState.linked;
  }

  /** Starts connecting; concurrent calls (a start-up restore racing an API connect) share one attempt. */
  start(): Promise<void> {
    // an attempt that a stop() cancelled finishes first; then this start begins afresh
    if (this.starting) return this.stopping ? this.starting.then(() => this.start()) : this.starting;
    if (this.running) return Promise.resolve();
    this.stopping = false;
    this.attempts = 0;
    this.starting = (async () => {
      await this.setStatus({ status: 'connecting', qr: null, reason: null });
      await this.freshIfHalfLinked();
      await this.open();
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /**
   * A link attempt that never finished (a pairing code nobody typed) leaves
   * `creds.me` behind without the account signature; a socket built on those
   * creds tries to log in instead of registering. Each new attempt on an
   * unlinked instance therefore starts from fresh creds. (Automatic
   * reconnects keep them: the code on the phone's screen must stay valid.)
   */
  private async freshIfHalfLinked(): Promise<void> {
    this.authState ??= await this.deps.auth.load(this.deps.instanceId, this.deps.owns);
    if (this.authState.linked || !this.authState.state.creds.me) return;
    this.deps.log.info({ instance_id: this.deps.instanceId }, 'an unfinished link attempt left creds behind; starting from fresh ones');
    await this.forgetAuth();
  }

  /** Closes the socket, keeping the link. */
  async stop(reason = 'closed'): Promise<void> {
    const wasRunning = this.running;
    this.stopping = true;
    this.clearTimer();
    await this.teardown(true);
    if (wasRunning) await this.setStatus({ status: 'disconnected', qr: null, reason });
  }

  /** Unlinks the device (when connected) and deletes the auth state, whatever the connection's state. */
  async logout(): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    const sock = this.openSocket();
    if (sock) {
      try {
        await sock.logout();
      } catch (err) {
        // the link is deleted locally either way; the phone drops a device it cannot reach
        this.deps.log.warn({ err: (err as Error).message }, 'WhatsApp did not confirm the logout');
      }
    }
    await this.teardown(true);
    await this.forgetAuth();
    await this.setStatus({ status: 'logged_out', qr: null, reason: 'logged out', phone: null, name: null });
  }

  /** The socket once it shows a QR (a pairing code needs an open, unlinked socket); starts one if needed. */
  async whenShowingQr(timeoutMs: number): Promise<BaileysSocket> {
    if (!this.running) await this.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.state.status === 'qr' && this.sock) return this.sock;
      if (this.state.status === 'connected') throw new EngineSendError('this instance is already linked', false, 'already_linked');
      if (!this.running) throw new EngineSendError(`WhatsApp closed the connection: ${this.state.reason ?? this.state.status}`, true, 'not_connected');
      const left = deadline - Date.now();
      if (left <= 0) throw new EngineSendError('WhatsApp did not open a linking session in time; try again', true, 'timeout');
      await this.nextStatus(left);
    }
  }

  private async open(): Promise<void> {
    this.authState ??= await this.deps.auth.load(this.deps.instanceId, this.deps.owns);
    if (this.stopping) return;
    // never two sockets: whatever is still attached goes first
    if (this.sock) await this.teardown(false);
    const chosen = await this.deps.version();
    if (this.stopping || this.sock) return;
    if (this.state.wa_version !== versionText(chosen.version)) {
      this.deps.log.info({ instance_id: this.deps.instanceId, wa_version: versionText(chosen.version), source: chosen.source }, 'WhatsApp Web version for this connection');
    }
    this.state = { ...this.state, wa_version: versionText(chosen.version) };
    const generation = ++this.generation;
    this.sawQr = false;
    this.advSecret = null;
    let sock: BaileysSocket;
    try {
      sock = this.deps.socketFactory({ auth: this.authState.state, version: chosen.version, ...this.deps.hooks });
    } catch (err) {
      // a socket that cannot even be built is a close like any other, so the policy decides
      await this.onClose(generation, err);
      return;
    }
    this.sock = sock;
    const off = sock.ev.process((events) => this.dispatch(generation, sock, events));
    const onNotification = (node: NotificationNode) => {
      if (isQrRefresh(node)) void this.onQrRefresh(generation).catch((err: Error) => this.deps.log.error({ err: err.message }, 'QR refresh failed'));
      else if (isLinkCodeNotice(node)) void this.onLinkCodeNotice(generation, node).catch((err: Error) => this.deps.log.error({ err: err.message }, 'pairing-code notice check failed'));
    };
    sock.ws.on('CB:notification', onNotification);
    this.unsubscribe = () => {
      off();
      sock.ws.off('CB:notification', onNotification);
    };
  }

  private dispatch(generation: number, sock: BaileysSocket, events: SocketEvents): void {
    if (events['creds.update']) {
      // the socket merges the update into creds before we see it; persist the whole object
      void this.authState?.saveCreds().catch((err: Error) => this.deps.log.error({ err: err.message }, 'could not persist WhatsApp credentials'));
    }
    const update = events['connection.update'];
    if (update) {
      this.updateQueue = this.updateQueue
        .then(() => this.onConnectionUpdate(generation, sock, update))
        .catch((err: Error) => this.deps.log.error({ err: err.message }, 'connection update handling failed'));
    }
    const rest: SocketEvents = { ...events };
    delete rest['connection.update'];
    delete rest['creds.update'];
    if (Object.keys(rest).length === 0) return;
    this.eventQueue = this.eventQueue
      .then(() => this.deps.onEvents(sock, rest))
      .catch((err: Error) => this.deps.log.error({ err: err.message }, 'WhatsApp event handling failed'));
  }

  private async onConnectionUpdate(generation: number, sock: BaileysSocket, update: SocketEvents['connection.update'] & object): Promise<void> {
    if (generation !== this.generation || this.stopping) return;
    if (update.qr) {
      this.sawQr = true;
      // after a refresh, rc14 still builds QRs from the secret it read at pair-device
      await this.setStatus({ status: 'qr', qr: this.advSecret ? withAdvSecret(update.qr, this.advSecret) : update.qr, reason: this.advSecret ? this.state.reason : null });
    }
    if (update.isNewLogin) this.deps.log.info({ instance_id: this.deps.instanceId }, 'WhatsApp device linked; the connection restarts');
    // a socket announces 'connecting' once, right after it is built; it never goes back after opening
    if (update.connection === 'connecting' && this.state.status !== 'connected') {
      await this.setStatus({ status: 'connecting', qr: null });
    } else if (update.connection === 'open') {
      this.attempts = 0;
      const me = sock.user;
      await this.setStatus({ status: 'connected', qr: null, reason: null, phone: phoneFromJid(me?.id), name: me?.name ?? me?.notify ?? null });
    } else if (update.connection === 'close') {
      await this.onClose(generation, update.lastDisconnect?.error);
    }
  }

  /** WhatsApp retired the QR's secret after a scan: a fresh one goes into creds and into every QR shown from now on. */
  private async onQrRefresh(generation: number): Promise<void> {
    const auth = this.authState;
    if (generation !== this.generation || this.stopping || !auth || auth.linked) return;
    const secret = newAdvSecret();
    auth.state.creds.advSecretKey = secret;
    await auth.saveCreds();
    this.advSecret = secret;
    this.deps.log.info({ instance_id: this.deps.instanceId }, 'WhatsApp refreshed the QR code after a scan (companion_reg_refresh); showing it with a new secret');
    const reason = 'WhatsApp refreshed the QR code after a scan: scan the new one';
    if (this.state.status === 'qr' && this.state.qr) await this.setStatus({ qr: withAdvSecret(this.state.qr, secret), reason });
  }

  /** The phone accepted a pairing code: say so, or say why this link cannot complete (see link-code-notice.ts). */
  private async onLinkCodeNotice(generation: number, node: NotificationNode): Promise<void> {
    if (generation !== this.generation || this.stopping) return;
    const gaps = linkCodeNoticeGaps(node, this.authState?.state.creds);
    if (gaps.length === 0) {
      this.deps.log.info({ instance_id: this.deps.instanceId }, 'the pairing code was accepted on the phone; finishing the link');
      return;
    }
    this.deps.log.warn({ instance_id: this.deps.instanceId, missing: gaps }, "WhatsApp's pairing-code confirmation is incomplete; this link cannot complete");
    await this.setStatus({ reason: `WhatsApp's confirmation of the pairing code came without ${gaps.join(', ')}, so this code cannot complete the link: request a new pairing code` });
  }

  private async onClose(generation: number, error: unknown): Promise<void> {
    if (generation !== this.generation || this.stopping) return;
    const sawQr = this.sawQr;
    const refreshed = this.advSecret !== null;
    await this.teardown(false);
    const decision = decideOnClose(
      { code: closeCode(error), message: (error as Error | undefined)?.message ?? null, attempts: this.attempts, registered: this.authState?.linked ?? false, sawQr },
      this.deps.policy,
      this.deps.random,
    );
    this.deps.log.info({ instance_id: this.deps.instanceId, decision }, 'WhatsApp connection closed');
    switch (decision.action) {
      case 'reconnect':
        this.attempts = decision.attempt;
        if (decision.delayMs === 0) {
          // the QR (if any) died with the old socket
          await this.setStatus({ status: 'connecting', qr: null });
          await this.open();
          return;
        }
        await this.setStatus({
          status: 'reconnecting',
          qr: null,
          reason: `${decision.reason}; attempt ${decision.attempt}, next try at ${new Date(Date.now() + decision.delayMs).toISOString()} (in ${Math.ceil(decision.delayMs / 1000)} s)`,
        });
        this.timer = setTimeout(() => {
          this.timer = null;
          this.open().catch((err: Error) => this.deps.log.error({ err: err.message }, 'reconnect failed'));
        }, decision.delayMs);
        // the HTTP server keeps the process alive; a pending reconnect alone must not
        this.timer.unref();
        return;
      case 'logged_out':
        this.stopping = true;
        await this.forgetAuth();
        await this.setStatus({ status: 'logged_out', qr: null, reason: decision.reason, phone: null, name: null });
        return;
      case 'stop':
        this.stopping = true;
        await this.setStatus({
          status: decision.status,
          qr: null,
          // a QR that ran out after a refresh was scanned: say so rather than "expired without a scan"
          reason: refreshed && decision.status === 'disconnected' ? 'the QR code was scanned and WhatsApp refreshed it, but no scan of the new one completed the link in time; connect again for a new QR' : decision.reason,
        });
        return;
    }
  }

  /** Unsubscribes from the current socket and ends it; `wait` bounds how long its closing is awaited. */
  private async teardown(wait: boolean): Promise<void> {
    const sock = this.sock;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    this.sock = null;
    // a new generation makes the old socket's connection updates stale (its messages still count)
    this.generation++;
    if (!sock) {
      unsubscribe?.();
      return;
    }
    // what the socket flushes while it closes is still heard; then nothing is left attached to it
    const ended = sock
      .end(undefined)
      .catch(() => undefined)
      .finally(() => unsubscribe?.());
    if (!wait) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, END_WAIT_MS).unref()))]);
    clearTimeout(timer);
  }

  private async forgetAuth(): Promise<void> {
    const auth = this.authState;
    this.authState = null;
    if (auth) await auth.clear();
    else await this.deps.auth.clear(this.deps.instanceId);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async setStatus(change: Partial<EngineStatus>): Promise<void> {
    const before = this.state;
    this.state = { ...this.state, ...change };
    for (const wake of [...this.statusWaiters]) wake();
    // Baileys repeats 'connecting' right after start(); subscribers only hear about real changes
    if ((Object.keys(this.state) as (keyof EngineStatus)[]).every((k) => before[k] === this.state[k])) return;
    const { status, qr, reason, phone } = this.state;
    await this.deps.onStatus({ status, qr, reason, ...(status === 'connected' || status === 'logged_out' ? { phone } : {}) });
  }

  private nextStatus(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs).unref();
      const statusWaiters = this.statusWaiters;
      function done() {
        clearTimeout(timer);
        statusWaiters.delete(done);
        resolve();
      }
      this.statusWaiters.add(done);
    });
  }
}
