/**
 * Every route group the app serves: the native API with problem+json
 * errors, then each seed dialect with its own envelope, wording and quirks.
 */
import type { Api } from '../api.js';
import type { GroupContext, RouteGroup } from '../route.js';
import { authRoutes } from './v1/auth-routes.js';
import { instanceRoutes } from './v1/instance-routes.js';
import { lifecycleRoutes } from './v1/lifecycle-routes.js';
import { settingsRoutes } from './v1/settings-routes.js';
import { settingsPreviewRoutes } from './v1/settings-preview-routes.js';
import { systemRoutes } from './v1/system-routes.js';
import { clusterRoutes } from './v1/cluster-routes.js';
import { webhookRoutes } from './v1/webhook-routes.js';
import { jobRoutes } from './v1/job-routes.js';
import { messageRoutes } from './v1/message-routes.js';
import { recurringRoutes } from './v1/recurring-routes.js';
import { contactRoutes } from './v1/contact-routes.js';
import { groupRoutes } from './v1/group-routes.js';
import { mediaRoutes } from './v1/media-routes.js';
import { savedContactRoutes } from './v1/saved-contact-routes.js';
import { ruleRoutes } from './v1/rule-routes.js';
import { flowRoutes } from './v1/flow-routes.js';
import { testChatRoutes } from './v1/test-chat-routes.js';
import { chatRoutes } from './v1/chat-routes.js';
import { eventStreamRoutes } from './v1/event-stream-routes.js';
import { qrRoutes } from './v1/qr-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { seed002Group, SEED002_TAG_DOC } from './dialects/seed002/index.js';
import { sharedGroup, SHARED_TAG_DOC } from './dialects/shared/index.js';
import { seed000Group, SEED000_TAG_DOC } from './dialects/seed000/index.js';
import { seed001Group, SEED001_TAG_DOC } from './dialects/seed001/index.js';
import { seed003Group, SEED003_TAG_DOC } from './dialects/seed003/index.js';

export function routeGroups(api: Api, g: GroupContext): RouteGroup[] {
  return [
    {
      routes: [
        ...systemRoutes(api, g.openApi),
        ...clusterRoutes(api),
        ...authRoutes(api),
        ...instanceRoutes(api),
        ...settingsRoutes(api),
        ...settingsPreviewRoutes(api),
        ...lifecycleRoutes(api),
        ...qrRoutes(api),
        ...webhookRoutes(api),
        ...jobRoutes(api),
        ...messageRoutes(api),
        ...recurringRoutes(api),
        ...mediaRoutes(api),
        ...contactRoutes(api),
        ...savedContactRoutes(api),
        ...groupRoutes(api),
        ...ruleRoutes(api),
        ...flowRoutes(api),
        ...testChatRoutes(api),
        ...chatRoutes(api),
        ...eventStreamRoutes(api),
        ...dashboardRoutes(),
      ],
    },
    // seed 002 and the path it shares with seed 001 (POST /api/messages/send)
    seed002Group(api),
    sharedGroup(api, g),
    // seed 000: the POS gateway (/whatsapp/..., aliased under /api/whatsapp/...)
    seed000Group(api),
    // seed 001: the WhatsApp API Engine (/api/contacts, /api/messages/send-*, /api/session, /api/webhooks)
    seed001Group(api),
    // seed 003: "Whatsapp/Bots" (/whatsapp/createNewWhatsapp, /whatsapp/message/..., the settings PUTs)
    seed003Group(api, g),
  ];
}

export const TAGS = [
  { name: 'System', description: 'Health, readiness and this document.' },
  { name: 'Auth', description: 'Owner accounts. Login returns a JWT (also set as an HttpOnly cookie); logout revokes it server-side.' },
  { name: 'Instances', description: 'Bot instances. Each has an access token, shown once, usable as X-API-Key for that instance only.' },
  { name: 'Settings', description: "Per-bot settings: seed 003's fields and meanings." },
  { name: 'Connection', description: 'Linking and connection lifecycle.' },
  { name: 'Media', description: 'Stored files, reusable by media_id in messages until they expire. Content is sniffed and must fit the message type; URLs are fetched through an SSRF-safe client.' },
  { name: 'Contacts', description: 'Number checks and profiles on WhatsApp, paced per instance to avoid bans.' },
  { name: 'Saved contacts', description: "The instance's address book; send one with {contact: {contact_id}}." },
  { name: 'Groups', description: 'Groups the linked number belongs to.' },
  { name: 'Webhooks', description: 'Signed (Standard Webhooks), durable, retried event delivery. The events and their payloads are listed under webhooks.' },
  { name: 'Rules', description: 'Keyword rules: what the bot answers. Checked by priority; accents, case and spacing are ignored; regex rules use RE2 (linear time).' },
  { name: 'Flows', description: 'Conversation flows: guided, multi-step conversations (menus, forms, orders) started by keywords or by a rule, each checked as a whole when saved.' },
  { name: 'Chats', description: "The bot's state in one chat: human takeover (pause and resume) and the conversation flow the chat is in." },
  { name: 'Test chat', description: 'Talk to a sandbox bot without a phone, dry-run any bot, and read the decision trace of any inbound message.' },
  { name: 'Messages', description: 'Outbound messages through a durable outbox (stored before any attempt, paced, retried, never silently lost), the message log of both directions, bulk jobs and recurring sends.' },
  SEED002_TAG_DOC,
  SHARED_TAG_DOC,
  SEED000_TAG_DOC,
  SEED001_TAG_DOC,
  SEED003_TAG_DOC,
];
