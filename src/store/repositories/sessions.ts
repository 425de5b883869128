import type { Doc, Store } from '../port.js';

/** An owner's login: the JWT's jti. Logout deletes it, which revokes the token server-side. */
export interface SessionDoc extends Doc {
  owner_id: string;
  created_at: number;
  expires_at: number;
}

export class SessionsRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<SessionDoc>('sessions');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('sessions', [{ keys: { owner_id: 1 } }, { keys: { expires_at: 1 } }]);
  }

  insert(session: SessionDoc): Promise<SessionDoc> {
    return this.coll.insertOne(session);
  }

  async active(id: string, now: number): Promise<SessionDoc | null> {
    return this.coll.findOne({ _id: id, expires_at: { $gt: now } });
  }

  async revoke(id: string): Promise<void> {
    await this.coll.deleteOne({ _id: id });
  }

  purgeExpired(now: number): Promise<number> {
    return this.coll.deleteMany({ expires_at: { $lte: now } });
  }
}
