/**
 * Errors services raise for the HTTP layer to translate. Every one carries
 * enough for a problem+json answer that names the failing field.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
    /** The problem type's slug, where the status alone does not say it (e.g. 'send-failed'). */
    readonly type?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is understood but a field's value is not acceptable. */
export class ValidationError extends ServiceError {
  constructor(field: string, message: string) {
    super(400, 'Invalid request', `${field}: ${message}`, [{ field, message }]);
  }

  static many(errors: FieldProblem[]): ServiceError {
    return new ServiceError(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
}

export class UnauthorizedError extends ServiceError {
  constructor(message = 'missing or invalid credentials') {
    super(401, 'Unauthorized', message, [], { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends ServiceError {
  constructor(message: string) {
    super(403, 'Forbidden', message);
  }
}

/** 404, also for resources of another owner: their existence is not revealed. */
export class NotFoundError extends ServiceError {
  /** `field` names the request field that referred to it (e.g. an unknown media id inside a send body). */
  constructor(what: string, field?: string) {
    super(404, 'Not found', field ? `${field}: ${what} not found` : `${what} not found`, field ? [{ field, message: `${what} not found` }] : []);
  }
}

export class ConflictError extends ServiceError {
  constructor(message: string, field?: string) {
    super(409, 'Conflict', message, field ? [{ field, message }] : []);
  }
}

export class UnprocessableError extends ServiceError {
  constructor(message: string, field?: string) {
    super(422, 'Unprocessable request', message, field ? [{ field, message }] : []);
  }
}

export class PayloadTooLargeError extends ServiceError {
  constructor(field: string, message: string) {
    super(413, 'Payload too large', `${field}: ${message}`, [{ field, message }]);
  }
}

export class TooManyRequestsError extends ServiceError {
  constructor(retryAfterSeconds: number, message = `rate limit exceeded; retry in ${retryAfterSeconds} s`) {
    super(429, 'Too many requests', message, [], { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** 503: the instance cannot do this right now (e.g. WhatsApp not connected). */
export class UnavailableError extends ServiceError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(503, 'Service unavailable', message, [], retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {});
  }
}

/** What a caller can do about a send or lookup refused because WhatsApp is not connected. */
export type NotConnectedRemedy = 'connect' | 'queue';

/**
 * 503: WhatsApp is not connected for the instance. The message is the
 * native API's; each seed dialect words it in its own terms (the route
 * group's `notConnected`), from the connection status and the remedy.
 */
export class NotConnectedError extends UnavailableError {
  constructor(
    /** The connection status at the time (disconnected, qr, reconnecting…). */
    readonly connection: string,
    /** connect: link or connect it first; queue: or keep the message until it is (the native `queue`, a seed's schedule). */
    readonly remedy: NotConnectedRemedy,
    readonly reason: string | null = null,
    retryAfterSeconds = 5,
  ) {
    const why = reason ? ` (${reason})` : '';
    const todo = remedy === 'queue' ? 'connect it, or send with "queue": true to keep the message until it is' : 'connect it with POST /v1/instances/{id}/connect and retry';
    super(`WhatsApp is not connected for this instance (status: ${connection}${why}); ${todo}`, retryAfterSeconds);
  }

  /** The same refusal in a dialect's words. */
  worded(message: string): ServiceError {
    return new ServiceError(this.status, this.title, message, this.errors, this.headers, this.type);
  }
}
