/**
 * The services the outbox consumes from other parts of the system. They are
 * filled in by the composition root (src/app.ts); a port left null makes
 * the requests that need it fail with a clear 503 instead of half-working.
 */
import type { EventSink, MediaIntake, SavedContacts, TextVariator } from '../ports.js';

export interface OutboxPorts {
  media: MediaIntake | null;
  contacts: SavedContacts | null;
  variator: TextVariator | null;
  events: EventSink | null;
}

export function emptyPorts(): OutboxPorts {
  return { media: null, contacts: null, variator: null, events: null };
}
