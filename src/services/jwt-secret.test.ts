/**
 * The JWT secret lives in the store, so every node signs with the same one:
 * created once even when several stores race for it, a configured secret
 * wins, and a secret an earlier version kept in the data directory is
 * adopted when the store has none.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onEveryBackend, openSpec, type OpenBackend, type OpenedBackend } from '../test-support/store-backends.js';
import { SharedSecretsRepo } from '../store/repositories/shared-secrets.js';
import { loadOrCreateJwtSecret } from './jwt-secret.js';

onEveryBackend('jwt secret', (label: string, open: OpenBackend) => {
  describe(`the JWT secret in the store: ${label}`, () => {
    let opened: OpenedBackend;
    let dataDir: string;

    beforeEach(async () => {
      opened = await open();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-jwt-'));
    });
    afterEach(async () => {
      await opened.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('is generated once: concurrent first starts all get the same secret, and it is kept', async () => {
      // a second connection when the store is shared across processes (another node), else the same store
      const others = opened.store.capabilities.sharedAcrossProcesses ? await Promise.all([openSpec(opened.spec), openSpec(opened.spec)]) : [];
      try {
        const stores = [opened.store, opened.store, ...others];
        const secrets = await Promise.all(stores.map((s) => loadOrCreateJwtSecret(null, new SharedSecretsRepo(s), dataDir, 1)));
        expect(new Set(secrets).size, 'distinct secrets').to.equal(1);
        expect(Buffer.from(secrets[0]!, 'base64url').length).to.be.at.least(32);
        expect(await loadOrCreateJwtSecret(null, new SharedSecretsRepo(opened.store), dataDir, 2)).to.equal(secrets[0]);
        // nothing is written to the data directory any more
        expect(fs.readdirSync(dataDir)).to.deep.equal([]);
      } finally {
        for (const other of others) await other.close();
      }
    });

    it('uses the configured secret whatever the store holds', async () => {
      const repo = new SharedSecretsRepo(opened.store);
      const generated = await loadOrCreateJwtSecret(null, repo, dataDir, 1);
      const configured = 'c'.repeat(40);
      expect(await loadOrCreateJwtSecret(configured, repo, dataDir, 2)).to.equal(configured);
      expect(await loadOrCreateJwtSecret(null, repo, dataDir, 3)).to.equal(generated);
    });

    it('adopts the secret an earlier version kept in the data directory, when the store has none', async () => {
      const legacy = 'l'.repeat(64);
      fs.writeFileSync(path.join(dataDir, 'jwt-secret'), `${legacy}\n`, { mode: 0o600 });
      const repo = new SharedSecretsRepo(opened.store);
      expect(await loadOrCreateJwtSecret(null, repo, dataDir, 1)).to.equal(legacy);
      // once stored, the store's secret is the one: a different file no longer matters
      fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'm'.repeat(64));
      expect(await loadOrCreateJwtSecret(null, repo, dataDir, 2)).to.equal(legacy);
      // a file too short to be a secret is ignored
      const fresh = await open();
      try {
        fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'short');
        const made = await loadOrCreateJwtSecret(null, new SharedSecretsRepo(fresh.store), dataDir, 3);
        expect(made).to.not.equal('short');
        expect(made.length).to.be.at.least(32);
      } finally {
        await fresh.cleanup();
      }
    });
  });
});
