// Bounds a send by a deadline shorter than the claim lease, so a hung SMTP or Kafka call turns into a retry
// instead of outliving the lease (which would let a second dispatcher send the same row while this one still waits).
export class SendTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`send did not finish within ${ms} ms`);
    this.name = 'SendTimeoutError';
  }
}

export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
