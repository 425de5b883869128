/** Who is calling: an owner (JWT) or one instance (its access token). */
export type Principal =
  | { kind: 'owner'; ownerId: string; sessionId: string }
  | { kind: 'instance'; ownerId: string; instanceId: string };
