/**
 * A poll vote as a voter's phone encrypts it: the chosen options' SHA-256
 * hashes in a PollVoteMessage, AES-256-GCM under a key derived (HMAC-SHA256)
 * from the poll's messageSecret, its id, the creator's and the voter's JIDs,
 * with "<poll id>\0<voter jid>" as associated data: the inverse of Baileys'
 * decryptPollVote, built from Baileys' own crypto helpers. Not a test file.
 */
import { randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto, sha256, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';

export interface PhoneVote {
  /** The poll message's key as the voter's phone sees it. */
  pollKey: WAMessageKey;
  secret: Uint8Array;
  creatorJid: string;
  voterJid: string;
  options: string[];
}

export function encryptPollVote(v: PhoneVote): proto.Message.IPollEncValue {
  const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: v.options.map((o) => sha256(Buffer.from(o))) }).finish();
  const sign = Buffer.concat([Buffer.from(v.pollKey.id!), Buffer.from(v.creatorJid), Buffer.from(v.voterJid), Buffer.from('Poll Vote'), new Uint8Array([1])]);
  const key0 = hmacSign(v.secret, new Uint8Array(32), 'sha256');
  const key = hmacSign(sign, key0, 'sha256');
  const iv = randomBytes(12);
  const encPayload = aesEncryptGCM(plain, key, iv, Buffer.from(`${v.pollKey.id}\u0000${v.voterJid}`));
  return { encPayload, encIv: iv };
}

/** The message that carries the vote, as Baileys emits it (`key` as received, a plain object). */
export function pollVoteMessage(key: WAMessageKey, v: PhoneVote): WAMessage {
  return {
    key,
    messageTimestamp: Math.floor(Date.now() / 1000),
    message: { pollUpdateMessage: { pollCreationMessageKey: v.pollKey, vote: encryptPollVote(v), senderTimestampMs: Date.now() } },
  };
}
