// strata serve: reading the JSON API. A failed call throws the API's own sentence; a page left behind aborts its calls.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** GET `url` as JSON; `signal` aborts it when the page it was for is gone. */
export async function api(url, signal) {
  const res = await fetch(url, { signal });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`strata answered ${res.status} to ${url} with no JSON`, res.status);
  }
  if (!res.ok) throw new ApiError(body.error || res.statusText, res.status);
  return body;
}

const cache = new Map();
const CACHED = 300;

/** Like `api`, but each URL is fetched once per visit (a run's series does not change while the page is open). */
export function apiOnce(url) {
  let found = cache.get(url);
  if (found === undefined) {
    found = api(url);
    found.catch(() => cache.delete(url));
    cache.set(url, found);
    if (cache.size > CACHED) cache.delete(cache.keys().next().value);
  }
  return found;
}

/** A query string from the values that are set. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}
