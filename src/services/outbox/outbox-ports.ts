/**
 * The services the outbox consumes from other capabilities, built before it
 * in the composition chain (src/app.ts).
 */
import type { EventSink, MediaIntake, SavedContacts, TextVariator } from '../ports.js';

export interface OutboxPorts {
  media: MediaIntake;
  contacts: SavedContacts;
  variator: TextVariator;
  events: EventSink;
}
