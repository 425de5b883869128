/**
 * Who exists on the double's WhatsApp: accounts (a phone number, its LID,
 * its primary phone) and the companion devices linked to them, with the
 * Signal keys each device published.
 */
import type { KeyPair } from './certificates.js';
import type { DeviceKeys } from './device-keys.js';
import type { SignalPeer } from './signal-peer.js';

export type { DeviceKeys };


export interface CompanionDevice {
  id: number;
  /** The static noise key it logs in with; a login with another one is refused. */
  noiseKey: Uint8Array;
  keys: DeviceKeys;
  platform: string;
}

export class Account {
  readonly devices = new Map<number, CompanionDevice>();
  private nextDevice = 1;
  constructor(
    readonly phone: string,
    readonly lid: string,
    /** The primary phone, device 0: a real Signal client. */
    readonly primary: SignalPeer,
    /** Signs companions (ADV); a phone's identity key. */
    readonly accountKey: KeyPair,
    public pushName: string,
  ) {}

  get jid(): string {
    return `${this.phone}@s.whatsapp.net`;
  }
  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  allocateDevice(): number {
    return this.nextDevice++;
  }
}

export class World {
  private readonly byPhone = new Map<string, Account>();
  private readonly byLid = new Map<string, Account>();

  add(account: Account): Account {
    this.byPhone.set(account.phone, account);
    this.byLid.set(account.lid, account);
    return account;
  }

  /** By phone number, `…@s.whatsapp.net` or `…@lid` JID (device part ignored). */
  find(idOrJid: string): Account | undefined {
    const [user, server] = idOrJid.split('@');
    const bare = user!.split(':')[0]!.split('_')[0]!;
    return server === 'lid' ? this.byLid.get(bare) : this.byPhone.get(bare);
  }

  accounts(): IterableIterator<Account> {
    return this.byPhone.values();
  }
}

/** `user:device@server` parts. */
export function deviceOf(jid: string): { user: string; device: number; server: string } {
  const [userPart, server = ''] = jid.split('@');
  const [user = '', device = '0'] = userPart!.split(':');
  return { user: user.split('_')[0]!, device: Number(device), server };
}
