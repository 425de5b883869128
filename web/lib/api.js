// The dashboard's only way to the server: the public /v1 API.
// Owner sessions ride on the HttpOnly login cookie (writes echo the tucan_csrf
// cookie in X-CSRF-Token); a colleague's session carries an instance token,
// kept in this tab's sessionStorage and sent as X-API-Key.

const TOKEN_KEY = 'tucan.instance-token';

/** Takes ?access_token= out of the address bar (an instance link) and keeps it for this tab. */
export function adoptTokenFromAddress() {
  const params = new URLSearchParams(location.search);
  const token = params.get('access_token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  params.delete('access_token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
}

export function instanceToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetInstanceToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function csrfToken() {
  const found = document.cookie.split('; ').find((c) => c.startsWith('tucan_csrf='));
  return found ? decodeURIComponent(found.slice('tucan_csrf='.length)) : '';
}

/** A refused call: the problem+json answer, with its field errors by name. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    /** 'body.active_hours.to' → message */
    this.fields = Object.fromEntries((problem?.errors ?? []).map((e) => [e.field, e.message]));
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = instanceToken();
  if (token) headers['x-api-key'] = token;
  else if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return null;
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text };
  }
  if (!res.ok) {
    const err = new ApiError(res.status, parsed);
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tucan:unauthorized'));
    throw err;
  }
  return parsed;
}

/** The message for a field (`active_hours.to` finds `body.active_hours.to`), or null. */
export function fieldError(err, name) {
  if (!(err instanceof ApiError)) return null;
  return err.fields[`body.${name}`] ?? err.fields[name] ?? null;
}

/** The error's text, leaving out what a field already shows. */
export function generalError(err, shownFields = []) {
  if (!err) return null;
  if (!(err instanceof ApiError)) return err.message;
  const rest = Object.entries(err.fields).filter(([f]) => !shownFields.some((s) => f === `body.${s}` || f === s));
  if (Object.keys(err.fields).length > 0 && rest.length === 0) return null;
  return [err.message, ...rest.map(([f, m]) => `${f}: ${m}`)].join(' · ');
}

/** The instance's live event stream (SSE). EventSource sends the cookie; an instance token goes in the query, as the route allows. */
export function eventsUrl(instanceId, types) {
  const q = new URLSearchParams();
  if (types) q.set('types', types.join(','));
  const token = instanceToken();
  if (token) q.set('access_token', token);
  const s = q.toString();
  return `/v1/instances/${encodeURIComponent(instanceId)}/events${s ? `?${s}` : ''}`;
}
