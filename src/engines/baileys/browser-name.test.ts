import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../config.js';
import { BROWSER_NAME_PATTERN, browserTuple, DEFAULT_BROWSER_NAME } from './browser-name.js';

/** What Baileys sends as companion_platform_display with a pairing-code request (lib/Socket/socket.js). */
const display = ([os, browser]: [string, string, string]) => `${browser} (${os})`;

describe('the companion browser name', () => {
  it('defaults to Chrome (Windows), the name WhatsApp accepts for pairing codes', () => {
    expect(loadConfig({}).baileys.browser).to.equal(DEFAULT_BROWSER_NAME);
    expect(browserTuple(DEFAULT_BROWSER_NAME)).to.deep.equal(['Windows', 'Chrome', '10.0.22631']);
    expect(display(browserTuple(DEFAULT_BROWSER_NAME))).to.equal('Chrome (Windows)');
  });

  it('is configurable with TUCAN_BAILEYS_BROWSER, as Baileys’ Browsers helper shapes it', () => {
    const name = loadConfig({ TUCAN_BAILEYS_BROWSER: 'Firefox (Ubuntu)' }).baileys.browser!;
    expect(browserTuple(name)).to.deep.equal(['Ubuntu', 'Firefox', '22.04.4']);
    expect(display(browserTuple(name))).to.equal('Firefox (Ubuntu)');
  });

  it('refuses at start-up a name WhatsApp would refuse (a product name), naming the setting and its variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({ TUCAN_BAILEYS_BROWSER: 'Chrome (Tucan Bot)' });
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^baileys\.browser \(from TUCAN_BAILEYS_BROWSER\): '<browser> \(<os>\)'.*e\.g\. 'Chrome \(Windows\)'/);
    expect(() => browserTuple('Chrome (Tucan Bot)')).to.throw(/baileys\.browser must be/);
  });

  it('accepts in the config exactly the names the engine can build', () => {
    const candidates = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Opera', 'Tucan', 'Desktop'].flatMap((b) => ['Windows', 'Mac OS', 'Ubuntu', 'Linux', 'Tucan'].map((os) => `${b} (${os})`));
    for (const name of candidates) {
      let configOk = true;
      try {
        loadConfig({ TUCAN_BAILEYS_BROWSER: name });
      } catch {
        configOk = false;
      }
      expect(configOk, name).to.equal(BROWSER_NAME_PATTERN.test(name));
    }
  });
});
