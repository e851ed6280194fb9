/**
 * Errors of the fault proxy, each carrying the HTTP status Toxiproxy gives
 * the same failure, so the API can answer `{"error": message, "status": n}`.
 */
export class FaultProxyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'FaultProxyError';
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

/** Toxiproxy's wording for each failure, so clients matching on it keep working. */
export const proxyNotFound = () => new FaultProxyError('proxy not found', 404);
export const toxicNotFound = () => new FaultProxyError('toxic not found', 404);
export const proxyAlreadyExists = () => new FaultProxyError('proxy already exists', 409);
export const toxicAlreadyExists = () => new FaultProxyError('toxic already exists', 409);
export const invalidToxicType = () => new FaultProxyError('invalid toxic type', 400);
export const invalidStream = () => new FaultProxyError('stream was invalid, can be either upstream or downstream', 400);
export const badRequestBody = (detail: string) => new FaultProxyError(`bad request body: ${detail}`, 400);
export const missingField = (field: string) => new FaultProxyError(`missing required field: ${field}`, 400);
