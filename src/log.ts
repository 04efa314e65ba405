// Structured JSON logs (pino), one line per event. Secrets are redacted by path.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'suspensiond' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'password', '*.password', 'config.smtpUrl', 'config.databaseUrl'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
