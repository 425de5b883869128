/** Test steps through tucan's public API, for tests and the sessions benchmark. */
import type { TestServer } from '../test-server.js';
import { eventually } from '../webhook-receiver.js';
import type { WaDouble } from './double.js';
import type { Account } from './world.js';

export interface LinkedInstance {
  id: string;
  token: string;
}

export async function currentQr(t: TestServer, id: string, token: string, not?: string): Promise<string> {
  return eventually(async () => {
    const res = await t.request('GET', `/v1/instances/${id}/qr`, { token });
    return res.status === 200 && res.body.qr !== not ? (res.body.qr as string) : undefined;
  }, 30_000);
}

export async function statusOf(t: TestServer, id: string, token: string): Promise<Record<string, unknown>> {
  return (await t.request('GET', `/v1/instances/${id}/status`, { token })).body;
}

export async function waitForStatus(t: TestServer, id: string, token: string, status: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const body = await statusOf(t, id, token);
    return body.status === status ? body : undefined;
  }, timeoutMs);
}

/** Creates a Baileys instance, connects it and links it by QR the way an owner does (refresh included). */
export async function linkByQr(
  t: TestServer,
  double: WaDouble,
  phone: Account,
  token: string,
  body: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<LinkedInstance> {
  const created = await t.request('POST', '/v1/instances', { token, json: { engine: 'baileys', ...body } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  await t.request('POST', `/v1/instances/${id}/connect`, { token });
  let qr = await currentQr(t, id, token);
  let outcome = await double.scan(phone, qr);
  if (outcome === 'refreshed') {
    qr = await currentQr(t, id, token, qr);
    outcome = await double.scan(phone, qr);
  }
  if (outcome !== 'linked') throw new Error(`the phone could not link: ${outcome}`);
  await waitForStatus(t, id, token, 'connected', timeoutMs);
  return { id, token: created.body.access_token as string };
}
