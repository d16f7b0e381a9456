import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that looks like a credential is redacted wherever it appears in a
 * logged object, as a second line of defence: code never logs secrets on purpose.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vs-align' },
      redact: {
        paths: [
          '*.authorization',
          '*.Authorization',
          '*.apiKey',
          '*.openaiApiKey',
          '*.token',
          '*.password',
          '*.secret',
          'req.headers.authorization',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
