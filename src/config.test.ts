import { expect } from 'chai';
import { ConfigError, loadConfig } from './config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('loads the defaults: port 3000, embedded store in ./data, no hard-coded secret', () => {
    const c = loadConfig({});
    expect(c.server.port).to.equal(3000);
    expect(c.store.mongodbUri).to.equal(null);
    expect(c.store.dataDir).to.match(/\/data$/);
    expect(c.auth.jwtSecret).to.equal(null);
    expect(c.network.allowLoopbackUrls).to.equal(false);
  });

  it('lets environment variables override the defaults', () => {
    const c = loadConfig({
      PORT: '8080',
      TUCAN_DATA_DIR: '/tmp/x',
      MONGODB_URI: 'mongodb://db:27017/tucan',
      TUCAN_JWT_SECRET: 's'.repeat(40),
      TUCAN_ALLOW_LOOPBACK_URLS: 'true',
      TUCAN_WEBHOOK_RETRY_SCHEDULE: '1,1,1',
      TUCAN_PACING_ENABLED: 'off',
    });
    expect(c.server.port).to.equal(8080);
    expect(c.store.dataDir).to.equal('/tmp/x');
    expect(c.store.mongodbUri).to.equal('mongodb://db:27017/tucan');
    expect(c.auth.jwtSecret).to.have.lengthOf(40);
    expect(c.network.allowLoopbackUrls).to.equal(true);
    expect(c.webhooks.retryScheduleSeconds).to.deep.equal([1, 1, 1]);
    expect(c.outbox.pacing.enabled).to.equal(false);
  });

  it('names the setting and its variable when a value is invalid', () => {
    expect(problems({ PORT: 'eighty' })).to.deep.equal(['server.port (from PORT): Invalid input: expected number, received string']);
    expect(problems({ PORT: '70000' })[0]).to.match(/^server\.port \(from PORT\)/);
    expect(problems({ TUCAN_JWT_SECRET: 'short' })[0]).to.match(/^auth\.jwtSecret \(from TUCAN_JWT_SECRET\): must be at least 32 characters/);
    expect(problems({ MONGODB_URI: 'postgres://x' })[0]).to.match(/^store\.mongodbUri \(from MONGODB_URI\): must start with mongodb/);
    expect(problems({ TUCAN_ALLOW_LOOPBACK_URLS: 'maybe' })[0]).to.match(/^network\.allowLoopbackUrls/);
    expect(problems({ TUCAN_WEBHOOK_RETRY_SCHEDULE: '1,x' })[0]).to.match(/^webhooks\.retryScheduleSeconds\.1/);
    expect(problems({ LOG_LEVEL: 'loud' })[0]).to.match(/^log\.level \(from LOG_LEVEL\)/);
  });
});
