import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs in production, pretty ones when asked for. Credentials are redacted wherever they appear. */
export function createLogger(options: { level: string; pretty: boolean }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'headers.authorization',
        'headers["x-api-key"]',
        '*.password',
        '*.secret',
        '*.token',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
