// REST client: JSON in and out, the session token from login, and the
// server's error shape {"error":{"code","message","field"}} as ApiError.

const TOKEN_KEY = 'sb.token';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

let token = localStorage.getItem(TOKEN_KEY) || '';
let onUnauthorized = () => {};

export const session = {
  get token() {
    return token;
  },
  set(t) {
    token = t || '';
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  },
  onUnauthorized(fn) {
    onUnauthorized = fn;
  },
};

export async function request(method, path, body, { raw = false } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', e.message || 'network error', '');
  }
  if (raw && res.ok) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json && json.error) || {};
    const err = new ApiError(res.status, e.code, e.message || text.slice(0, 200), e.field);
    if (res.status === 401 && path !== '/api/login') onUnauthorized(err);
    throw err;
  }
  return json;
}

export const api = {
  get: (p) => request('GET', p),
  post: (p, b) => request('POST', p, b),
  patch: (p, b) => request('PATCH', p, b),
  del: (p) => request('DELETE', p),
  raw: (p) => request('GET', p, undefined, { raw: true }),
};

// GET that answers null on 404 (an endpoint this server does not have yet).
export async function getOptional(path) {
  try {
    return await api.get(path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}
