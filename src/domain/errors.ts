// Typed domain errors. The API maps `not_found` to 404 (existence must not leak), `forbidden` to 403,
// `invalid` to 400 and `conflict` to 409.
export type DomainErrorCode = 'not_found' | 'forbidden' | 'invalid' | 'conflict';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
