// The one shape of every long-running part of the daemon (after PostHog's {id, onShutdown, healthcheck}): the
// composition root (main.ts) starts them in order, stops them in reverse, and builds /readyz from their readiness.
// Owns: the Service interface and the readiness roll-up. Never: starts or stops anything itself.

export interface Readiness {
  ready: boolean;
  /** Why not ready, one line each (shown on /readyz). Empty when ready. */
  reasons: string[];
  /** Extra facts for /readyz that do not make the process unready (e.g. rules failing on records). */
  details?: Record<string, unknown>;
}

export interface Service {
  readonly name: string;
  /** Idempotent. */
  start(): Promise<void> | void;
  /** Idempotent; finishes the work in hand. */
  stop(): Promise<void> | void;
  readiness(): Readiness;
}

export const READY: Readiness = { ready: true, reasons: [] };

/** A service that is ready whenever it runs. */
export function service(name: string, start: Service['start'], stop: Service['stop'], readiness: () => Readiness = () => READY): Service {
  return { name, start, stop, readiness };
}

/** Every service's reasons, in order; ready when there are none. */
export function readinessOf(services: readonly Service[]): Readiness {
  const reasons = services.flatMap((s) => s.readiness().reasons);
  return { ready: reasons.length === 0, reasons };
}
