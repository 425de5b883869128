/**
 * How the linked companion names itself to WhatsApp. Baileys takes a
 * `browser` tuple `[os, browser, os version]` (its `Browsers` helper) and
 * sends `<browser> (<os>)` as `companion_platform_display` with a pairing-code
 * request; the QR login announces the same os and browser. WhatsApp
 * validates that display name: `Chrome (Windows)` is accepted, a product
 * name as the os is refused with 400 (Baileys PR #2769). So the name is one
 * of the pairs real WhatsApp Web clients use, written as WhatsApp shows it.
 */
import { Browsers } from '@whiskeysockets/baileys';

export const DEFAULT_BROWSER_NAME = 'Chrome (Windows)';

/** Browsers WhatsApp knows as platform types (proto.DeviceProps.PlatformType). */
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge', 'Opera'] as const;

/** Systems with the version Baileys' `Browsers` helper announces for them. */
const SYSTEMS: Record<string, (browser: string) => [string, string, string]> = {
  Windows: Browsers.windows,
  'Mac OS': Browsers.macOS,
  Ubuntu: Browsers.ubuntu,
};

/** The accepted form, for config validation: `<browser> (<os>)`. */
export const BROWSER_NAME_PATTERN = new RegExp(`^(${BROWSERS.join('|')}) \\((${Object.keys(SYSTEMS).join('|')})\\)$`);

/** Baileys' `browser` tuple for a name such as `Chrome (Windows)`; throws on any other form (config validation refuses them first). */
export function browserTuple(name: string): [string, string, string] {
  const m = BROWSER_NAME_PATTERN.exec(name);
  if (!m) throw new Error(`baileys.browser must be '<browser> (<os>)' with a browser among ${BROWSERS.join(', ')} and an os among ${Object.keys(SYSTEMS).join(', ')}; got '${name}'`);
  return SYSTEMS[m[2]](m[1]);
}
