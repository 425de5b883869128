/**
 * Poll votes arrive encrypted with the poll's `messageSecret` (rc14 no longer
 * decrypts them, fact sheet §8): the vote is read with Baileys' own
 * `decryptPollVote`, given the poll creation message tucan archived (a poll
 * it sent, or one it received), and its option hashes (SHA-256 of each
 * option's name) are turned back into the names.
 *
 * The key is derived from the poll's id, its creator's JID and the voter's
 * JID. Since WhatsApp's move to LIDs a phone may have used either the phone
 * number or the LID form of each, so every pair of the forms known is tried;
 * AES-GCM refuses a wrong key, so only the right pair decrypts.
 */
import { decryptPollVote, isLidUser, jidNormalizedUser, normalizeMessageContent, sha256, type proto, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { PollVote } from '../../domain/inbound.js';
import type { Me } from './inbound-normalize.js';

/** The poll update inside a message, when it is one. */
function pollUpdateOf(message: WAMessage): proto.Message.IPollUpdateMessage | null {
  return normalizeMessageContent(message.message)?.pollUpdateMessage ?? null;
}

/** The chosen options' names, or null when the vote cannot be read with this poll. */
export function readPollVote(vote: WAMessage, poll: WAMessage, me: Me): PollVote | null {
  const update = pollUpdateOf(vote);
  const creation = pollCreationOf(poll.message);
  const secret = poll.message?.messageContextInfo?.messageSecret;
  const pollId = update?.pollCreationMessageKey?.id;
  if (!update?.vote?.encPayload || !update.vote.encIv || !creation || !secret || !pollId) return null;
  const byHash = new Map((creation.options ?? []).map((o) => [sha256(Buffer.from(o.optionName ?? '')).toString('base64'), o.optionName ?? '']));
  for (const pollCreatorJid of authorForms(poll.key, me)) {
    for (const voterJid of authorForms(vote.key, me)) {
      let decrypted: proto.Message.PollVoteMessage;
      try {
        decrypted = decryptPollVote(update.vote, { pollCreatorJid, pollMsgId: pollId, pollEncKey: secret, voterJid });
      } catch {
        continue; // not this pair of forms
      }
      // an empty list is a vote taken back
      const options = (decrypted.selectedOptions ?? []).flatMap((hash) => byHash.get(Buffer.from(hash).toString('base64')) ?? []);
      return { poll_id: pollId, poll_name: creation.name ?? null, options };
    }
  }
  return null;
}

type PollCreation = proto.Message.IPollCreationMessage;

function pollCreationOf(message: proto.IMessage | null | undefined): PollCreation | null {
  const m = normalizeMessageContent(message);
  return m?.pollCreationMessage ?? m?.pollCreationMessageV2 ?? m?.pollCreationMessageV3 ?? m?.pollCreationMessageV5 ?? null;
}

/** The author of a message in every form known: the key's own, its alt, and for our own messages both of ours. */
function authorForms(key: WAMessageKey, me: Me): string[] {
  const forms = key.fromMe
    ? [me.jid, me.lid]
    : key.participant
      ? [key.participant, key.participantAlt]
      : [key.remoteJid, key.remoteJidAlt];
  const normalized = forms.filter((j): j is string => Boolean(j)).map((j) => jidNormalizedUser(j));
  // the LID form first: phones on LID addressing (most since 2026) use it
  return [...new Set(normalized)].sort((a, b) => Number(isLidUser(b)) - Number(isLidUser(a)));
}
