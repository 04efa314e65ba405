// A small HTTP client for the CLI's `accounts` commands: bearer auth, JSON in and out, problem+json errors turned
// into ApiCallError with the server's detail. Never prints the token.
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${status}: ${detail}`);
    this.name = 'ApiCallError';
  }
}

export interface ApiClient {
  get(path: string, query?: Record<string, string | undefined>): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
}

export function createApiClient(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ApiCallError(0, `cannot reach ${base} (${(err as Error).message})`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const detail = (json as { detail?: unknown } | undefined)?.detail;
      throw new ApiCallError(res.status, typeof detail === 'string' ? detail : text.slice(0, 200) || res.statusText);
    }
    return json;
  };
  return {
    get: (path, query) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, v);
      const s = qs.toString();
      return call('GET', s ? `${path}?${s}` : path);
    },
    post: (path, body) => call('POST', path, body),
  };
}
