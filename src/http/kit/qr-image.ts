/** The QR code as every API renders it: one size and margin, as a PNG or a PNG data URL. */
const OPTIONS = { width: 320, margin: 2 };

// loaded when the first QR is drawn: most of a server's life has none to draw
const qrcode = async () => (await import('qrcode')).default;

export async function qrPng(qr: string): Promise<Buffer> {
  return (await qrcode()).toBuffer(qr, { type: 'png', ...OPTIONS });
}

export async function qrDataUrl(qr: string): Promise<string> {
  return (await qrcode()).toDataURL(qr, OPTIONS);
}
