/**
 * Outbound HTTP for provider plugins. The undici implementation (`createUndiciHttpClient`) pools
 * connections per origin, applies connect/headers/body timeouts, and redacts secrets in logs.
 * A timeout after the request was sent surfaces as PAYRAIL_ERR_PROVIDER_TIMEOUT with
 * `outcomeUnknown: true`: the provider may have acted, so the caller must sync, not guess.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Total time allowed for this call in ms (default from the client's options). */
  timeoutMs?: number;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}
