import { spawnSync } from 'node:child_process';
import { expect } from 'chai';

describe('process start-up', () => {
  it('stops with a message naming the setting when a value is invalid', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', TUCAN_JWT_SECRET: 'too-short' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).to.equal(78);
    expect(run.stderr).to.include('server.port (from PORT)');
    expect(run.stderr).to.include('auth.jwtSecret (from TUCAN_JWT_SECRET): must be at least 32 characters');
  });
});
