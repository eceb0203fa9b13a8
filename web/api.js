// api.js - the only way the UI talks to the hub: the public JSON API,
// with the session cookie and the X-CSRF-Token header on every
// state-changing request. The CSRF token lives in memory only.
//
// The exercise context (issue 14): the same UI served under /x/{id}/
// acts inside the running cross-sector exercise {id}. There the routes of
// the exercise environment (reports, events, advisories and the registry
// and catalogue they read) go to /x/{id}/api/v1/...; everything else (the
// session, the language, the exercises' own pages) stays the hub's.
let csrf = null;

const XCTX = /^\/x\/([A-Za-z0-9]{1,39})(\/|$)/.exec(location.pathname);
/* The exercise this page acts in (served under /x/{id}/), or null. */
export const exerciseId = XCTX ? XCTX[1] : null;
const XPATHS = /^\/(reports|events|advisories|orgs|declarations)([/?]|$)|^\/(sectors|catalogue|dashboard)([?]|$)|^\/severity\//;
/* The URL of API path p (after /api/v1): in the exercise context, under
 * /x/{id} when p is one of the exercise environment's routes. Links to
 * the API (CSV exports, attachments) are made with it too. */
export function apiUrl(p) {
  return (exerciseId && XPATHS.test(p) ? '/x/' + exerciseId : '') + '/api/v1' + p;
}
let onUnauth = () => {};

export function setCsrf(v) { csrf = v || null; }
export function onUnauthenticated(fn) { onUnauth = fn; }

export class ApiError extends Error {
  constructor(status, code, message, field, messageJa, detailJa) {
    super(message || code);
    this.status = status; this.code = code; this.field = field;
    this.messageJa = messageJa; // the error object's message_ja
    this.detailJa = detailJa; // its detail_ja: message in Japanese, when the hub has the words
  }
}

export async function api(method, path, body, opts) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(apiUrl(path), {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  let data = null;
  const ct = r.headers.get('Content-Type') || '';
  if (ct.startsWith('application/json')) data = await r.json().catch(() => null);
  if (!r.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(r.status, e.code || 'http_' + r.status, e.message, e.field, e.message_ja, e.detail_ja);
    if (r.status === 401 && !(opts && opts.quiet)) onUnauth(err);
    throw err;
  }
  return data;
}

export const get = (p, o) => api('GET', p, undefined, o);
export const post = (p, b) => api('POST', p, b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
