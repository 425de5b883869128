/**
 * Media and contacts: media intake (URLs only through the SSRF-safe
 * client) and the media store, number checks and profiles, the address
 * book, groups, and seed 002's text variation.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ContactsService } from '../services/contacts/contacts-service.js';
import { GroupsService } from '../services/contacts/groups.js';
import { SavedContactsService } from '../services/contacts/saved-contacts.js';
import type { EngineManager } from '../services/engine-manager.js';
import { intervalWorker } from '../services/interval-worker.js';
import { MediaIntakeService } from '../services/media/media-intake.js';
import { MediaStore } from '../services/media/media-store.js';
import { installedFfmpeg, VoiceTranscoder } from '../services/media/voice-transcoder.js';
import { SafeHttp, type Resolve } from '../services/net/safe-http.js';
import { TextVariationService } from '../services/variation/text-variator.js';
import type { Store } from '../store/port.js';

export interface MediaDeps {
  config: Config;
  store: Store;
  engines: EngineManager;
  log: Logger;
  clock: () => number;
  /** How media URL hosts are resolved (tests); the system resolver otherwise. */
  resolve?: Resolve;
}

export async function mediaModule(d: MediaDeps) {
  const http = new SafeHttp({ allowLoopback: d.config.network.allowLoopbackUrls, timeoutMs: d.config.network.fetchTimeoutMs, resolve: d.resolve });
  const mediaStore = new MediaStore(d.store);
  // two cores' worth of conversions at once; a voice note is at most the audio size limit
  const voice = new VoiceTranscoder({ ffmpegPath: installedFfmpeg(), timeoutMs: 60_000, maxOutputBytes: d.config.media.maxBytes.audio, concurrency: 2, queue: 16 });
  const media = new MediaIntakeService(mediaStore, http, { ...d.config.media, voice }, d.clock);
  const contacts = new ContactsService(d.store, d.engines, d.config.contacts, { clock: d.clock });
  const savedContacts = new SavedContactsService(d.store, d.clock);
  await Promise.all([mediaStore.init(), contacts.init(), savedContacts.init()]);

  const sweeper = intervalWorker('media-sweeper', d.config.media.sweepIntervalSeconds * 1000, async () => {
    await media.sweep();
    await contacts.purgeExpired();
  }, d.log);

  return {
    media,
    contacts,
    savedContacts,
    groups: new GroupsService(d.engines),
    variation: new TextVariationService(),
    workers: [sweeper],
    close: async () => http.close(),
    async forgetInstance(instanceId: string) {
      await media.removeInstance(instanceId);
      await contacts.removeInstance(instanceId);
      await savedContacts.removeInstance(instanceId);
    },
  };
}

export type MediaModule = Awaited<ReturnType<typeof mediaModule>>;
