/**
 * The environment variable of each account-server setting (Graphistry's own
 * names where it has one). The server reads its settings from them
 * (src-server/config.ts declares the settings); the console leaves them all
 * out of the environment of the server it starts, so its own DATABASE_URL or
 * PORT cannot change that server (src-main/server/server-command.ts).
 */
export const SERVER_ENV_NAMES = {
  dataDir: 'GRAPHISTRY_ADMIN_DATA',
  databaseUrl: 'DATABASE_URL',
  host: 'HOST',
  port: 'PORT',
  jwtExpirationDelta: 'JWT_EXPIRATION_DELTA',
  jwtRefreshExpirationDelta: 'JWT_REFRESH_EXPIRATION_DELTA',
  passwordMinLength: 'PASSWORD_MIN_LENGTH',
  setupToken: 'SETUP_TOKEN',
  trustProxy: 'TRUST_PROXY',
  hashConcurrency: 'HASH_CONCURRENCY',
  hashQueueLimit: 'HASH_QUEUE_LIMIT',
  throttleWindowSeconds: 'THROTTLE_WINDOW_SECONDS',
  throttleAccountFailures: 'THROTTLE_ACCOUNT_FAILURES',
  throttleAddressFailures: 'THROTTLE_ADDRESS_FAILURES',
  throttleSsoStarts: 'THROTTLE_SSO_STARTS',
  maxKeysPerUser: 'MAX_KEYS_PER_USER',
  sessionCookieSecure: 'SESSION_COOKIE_SECURE',
  sessionCookieAge: 'SESSION_COOKIE_AGE',
  sessionIdleTimeout: 'SESSION_IDLE_TIMEOUT',
  logLevel: 'LOG_LEVEL',
  requestTimeout: 'REQUEST_TIMEOUT',
  keepAliveTimeout: 'KEEP_ALIVE_TIMEOUT',
  gracefulTimeout: 'GRACEFUL_TIMEOUT',
  gates: 'GATES',
} as const;
