import { expect } from 'chai';
import { Writable } from 'node:stream';
import libsignal from 'libsignal';
import { pino } from 'pino';
import { installConsoleGuard, swallowedConsoleCalls, uninstallConsoleGuard } from './console-guard.js';
import { bridgeLogger, sanitize } from './log-bridge.js';

/** A pino logger writing JSON lines into an array. */
function capture(level = 'trace') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}

/** Everything written to stdout and stderr while `fn` runs. */
async function stdio(fn: () => void | Promise<void>): Promise<string> {
  let out = '';
  const original = { out: process.stdout.write, err: process.stderr.write };
  const grab = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = grab;
  process.stderr.write = grab;
  try {
    await fn();
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  return out;
}

const PRIVATE = Buffer.alloc(32, 0xab);
const ROOT = Buffer.alloc(32, 0xcd);

function sessionRecordWithSecrets() {
  // openSession/closeSession exist in the JavaScript but not in libsignal's typings
  const record = new libsignal.SessionRecord() as unknown as { openSession(s: unknown): void; closeSession(s: unknown): void };
  const session = {
    indexInfo: { baseKey: Buffer.alloc(33, 5), baseKeyType: 1, closed: 12345, used: 1, created: 1, remoteIdentityKey: Buffer.alloc(33, 6) },
    currentRatchet: { rootKey: ROOT, ephemeralKeyPair: { pubKey: Buffer.alloc(33, 7), privKey: PRIVATE }, lastRemoteEphemeralKey: Buffer.alloc(33, 8), previousCounter: 0 },
    chains: {},
    registrationId: 1,
  };
  return { record, session };
}

describe('Baileys log hygiene', () => {
  // the guard is process-wide and other suites install it; each test here starts without it
  beforeEach(() => uninstallConsoleGuard());
  afterEach(() => uninstallConsoleGuard());

  it("keeps libsignal's session dumps (private keys included) off stdout, stderr and tucan's logs", async () => {
    const { record, session } = sessionRecordWithSecrets();
    // the danger is real: unguarded, libsignal prints the session with its private key
    const unguarded = await stdio(() => record.openSession(session));
    expect(unguarded).to.contain('Opening session').and.to.contain('privKey');
    const { log, lines } = capture('trace');
    installConsoleGuard(log);
    const printed = await stdio(() => {
      // both print the whole session object through console.info / console.warn
      record.openSession(session);
      record.closeSession(session);
    });
    expect(printed).to.equal('');
    // the time and pid of each line are digits too: leave them out of the search for a key's first byte
    const logged = lines.map((l) => l.replace(/"(time|pid)":\d+,?/g, '')).join('');
    for (const secret of [PRIVATE, ROOT]) {
      expect(logged).not.to.contain(secret.toString('hex'));
      expect(logged).not.to.contain(secret.toString('base64'));
      expect(logged).not.to.contain(String(secret[0]));
    }
    expect(logged).to.contain('suppressed console output: Opening session:');
    expect(swallowedConsoleCalls()).to.be.at.least(2);
  });

  it("leaves everybody else's console output alone", async () => {
    installConsoleGuard(null);
    const printed = await stdio(() => console.log('tucan says hi'));
    expect(printed).to.equal('tucan says hi\n');
  });

  it('bridges Baileys logs to pino without key material, at a quiet level', () => {
    const { log, lines } = capture('trace');
    const logger = bridgeLogger(log, { level: 'warn' });
    logger.info({ me: { id: '1@s.whatsapp.net' } }, 'opened connection to WA');
    expect(lines).to.have.length(0);
    logger.child({ class: 'baileys' }).error(
      { creds: { noiseKey: { private: PRIVATE } }, key: { remoteJid: '1@s.whatsapp.net', id: 'ABC' }, err: Object.assign(new Error('Bad MAC'), { output: { statusCode: 500 } }), node: { content: PRIVATE } },
      'failed to decrypt message',
    );
    expect(lines).to.have.length(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).to.deep.include({ level: 50, msg: 'failed to decrypt message', component: 'baileys', class: 'baileys', creds: '[redacted]' });
    expect(entry.key).to.deep.equal({ remoteJid: '1@s.whatsapp.net', id: 'ABC' });
    expect(entry.err).to.include({ message: 'Bad MAC', status: 500 });
    expect(entry.node.content).to.equal('[32 bytes]');
    expect(lines[0]).not.to.contain(PRIVATE.toString('base64'));
  });

  it('cuts floods of the same line, counting what it dropped', () => {
    const { log, lines } = capture('trace');
    let now = 0;
    const logger = bridgeLogger(log, { level: 'warn', clock: () => now });
    for (let i = 0; i < 500; i++) logger.error({ i }, 'failed to decrypt message');
    expect(lines).to.have.length(20);
    now = 61_000;
    logger.warn({}, 'next minute');
    const summary = lines.map((l) => JSON.parse(l)).find((e) => e.suppressed);
    expect(summary).to.include({ suppressed: 480 });
  });

  it('sanitises nested key material by name and by type', () => {
    expect(sanitize({ keyPair: { public: 'x' }, privKey: 'y', signedPreKey: 1, a: { b: new Uint8Array(3) }, list: [Buffer.alloc(2)] })).to.deep.equal({
      keyPair: '[redacted]',
      privKey: '[redacted]',
      signedPreKey: '[redacted]',
      a: { b: '[3 bytes]' },
      list: ['[2 bytes]'],
    });
  });
});
