/**
 * An error the emulated service answers with. `name` is the modeled error
 * shape (the SDK turns it into `err.name`), `status` the HTTP status code the
 * service model gives it, `fields` any modeled members besides the message.
 */
export class ServiceError extends Error {
  constructor(
    readonly name: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** How one protocol writes an error on the wire. */
export interface ErrorEncoding {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * restJson1 (AppConfig): the error name in `x-amzn-ErrorType`, the members in
 * the body. AppConfig's error shapes spell the message member `Message`.
 */
export function restJsonError(error: ServiceError): ErrorEncoding {
  return {
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.name },
    body: JSON.stringify({ Message: error.message, ...error.fields }),
  };
}

/**
 * awsJson1_0 (Proton): the error name in the body's `__type`. Proton's error
 * shapes spell the message member `message` (lowercase).
 */
export function awsJsonError(error: ServiceError): ErrorEncoding {
  return {
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': error.name },
    body: JSON.stringify({ __type: error.name, message: error.message, ...error.fields }),
  };
}
