/**
 * Faults on demand, as WhatsApp produces them: a stream error with each close
 * code, a TCP connection dropped in the middle of a frame, and a server that
 * goes silent so the client's keep-alive has to notice.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Stream } from './wa-server.js';
import type { Account } from './world.js';

/** The close codes WhatsApp uses, with the stanza it sends for each. */
export const CLOSE_CODES = [401, 403, 408, 411, 428, 440, 500, 503, 515] as const;
export type CloseCode = (typeof CLOSE_CODES)[number];

function reasonFor(code: CloseCode): BinaryNode | undefined {
  if (code === 401) return { tag: 'conflict', attrs: { type: 'device_removed' } };
  if (code === 440) return { tag: 'conflict', attrs: { type: 'replaced' } };
  return undefined;
}

export class Faults {
  constructor(private readonly streamsOf: (account: Account) => Stream[]) {}

  /** `<stream:error code=…>` on every open stream of the account; 401 also unlinks its devices, as a removal does. */
  closeWith(account: Account, code: CloseCode): number {
    const streams = this.streamsOf(account);
    if (code === 401) account.devices.clear();
    for (const stream of streams) stream.streamError(code, reasonFor(code));
    return streams.length;
  }

  /** Half a frame, then the TCP connection is gone without a close handshake. */
  dropMidFrame(account: Account): number {
    const streams = this.streamsOf(account);
    for (const stream of streams) {
      // nothing else is written after the torn frame: later messages wait for the next login
      stream.closed = true;
      stream.ws.send(Buffer.from([0x00, 0x01, 0x00, 0xde, 0xad]), () => stream.drop());
    }
    return streams.length;
  }

  /** Nothing more is sent or answered on the account's open streams. */
  silence(account: Account): number {
    const streams = this.streamsOf(account);
    for (const stream of streams) stream.muted = true;
    return streams.length;
  }
}
