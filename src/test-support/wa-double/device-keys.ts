/** A device's published Signal keys, as uploaded in `<iq xmlns="encrypt">` or at registration. */
export interface DeviceKeys {
  registrationId: number;
  identity: Uint8Array;
  signedPreKey: { id: number; public: Uint8Array; signature: Uint8Array };
  preKeys: Map<number, Uint8Array>;
}
