// The console's only way to the daemon: fetch to /v1/* with the session's bearer token (sessionStorage, never a
// URL). A 401 means the token was revoked or is wrong: the session is cleared and the page signs out.
const KEY = 'suspensiond.console.token';

export const session = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

export class ApiProblem extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export async function api(method, path, body) {
  const token = session.token;
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.status === 401) {
    session.token = null;
    window.dispatchEvent(new CustomEvent('console:signed-out', { detail: 'Your token is no longer valid (revoked or unknown). Sign in again.' }));
    throw new ApiProblem(401, 'signed out');
  }
  if (!res.ok) throw new ApiProblem(res.status, data?.detail ?? `HTTP ${res.status}`);
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

/** `/v1/x?` + the defined parameters. */
export function qs(path, params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const q = p.toString();
  return q ? `${path}?${q}` : path;
}
