/**
 * The double's certificate authority. WhatsApp's servers prove themselves with a
 * Noise certificate chain under a root key Baileys ships (`WA_CERT_DETAILS`);
 * the double has its own root, and a test process trusts it the way a test
 * trusts a test CA. That swap is the only difference from production.
 */
import { Curve, proto, WA_CERT_DETAILS } from '@whiskeysockets/baileys';

export interface KeyPair {
  public: Uint8Array;
  private: Uint8Array;
}

export interface Authority {
  root: KeyPair;
  /** The encoded `CertChain` the server sends for its static key. */
  chainFor(serverStatic: Uint8Array): Uint8Array;
}

export function makeAuthority(): Authority {
  const root = Curve.generateKeyPair();
  const intermediate = Curve.generateKeyPair();
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 1,
    issuerSerial: WA_CERT_DETAILS.SERIAL,
    key: intermediate.public,
  }).finish();
  const intermediateCert = { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) };
  return {
    root,
    chainFor(serverStatic) {
      const details = proto.CertChain.NoiseCertificate.Details.encode({ serial: 2, issuerSerial: 1, key: serverStatic }).finish();
      return proto.CertChain.encode({
        leaf: { details, signature: Curve.sign(intermediate.private, details) },
        intermediate: intermediateCert,
      }).finish();
    },
  };
}

/** Makes this process's Baileys accept certificates under `root`. Returns the undo. */
export function trustRoot(root: Uint8Array): () => void {
  const details = WA_CERT_DETAILS as { PUBLIC_KEY: Buffer };
  const original = details.PUBLIC_KEY;
  details.PUBLIC_KEY = Buffer.from(root);
  return () => {
    details.PUBLIC_KEY = original;
  };
}
