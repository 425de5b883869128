import { newId, type Doc, type Store } from '../port.js';

export interface OwnerDoc extends Doc {
  name: string;
  phone: string;
  email: string;
  email_lc: string;
  username: string;
  username_lc: string;
  password_hash: string;
  gst: string | null;
  created_at: number;
  updated_at: number;
}

export type NewOwner = Pick<OwnerDoc, 'name' | 'phone' | 'email' | 'username' | 'password_hash' | 'gst'>;

export class OwnersRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<OwnerDoc>('owners');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('owners', [
      { keys: { username_lc: 1 }, unique: true },
      { keys: { email_lc: 1 }, unique: true },
    ]);
  }

  async insert(input: NewOwner, now: number): Promise<OwnerDoc> {
    return this.coll.insertOne({
      _id: newId(),
      ...input,
      email_lc: input.email.toLowerCase(),
      username_lc: input.username.toLowerCase(),
      created_at: now,
      updated_at: now,
    });
  }

  byId(id: string): Promise<OwnerDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  /** Username or email, case-insensitively. */
  byLogin(login: string): Promise<OwnerDoc | null> {
    const lc = login.trim().toLowerCase();
    return this.coll.findOne(lc.includes('@') ? { email_lc: lc } : { username_lc: lc });
  }

  async existing(username: string, email: string): Promise<{ username: boolean; email: boolean }> {
    const [u, e] = await Promise.all([this.coll.findOne({ username_lc: username.toLowerCase() }), this.coll.findOne({ email_lc: email.toLowerCase() })]);
    return { username: u !== null, email: e !== null };
  }
}
