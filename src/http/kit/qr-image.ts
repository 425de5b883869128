/** The QR code as every API renders it: one size and margin, as a PNG or a PNG data URL. */
import QRCode from 'qrcode';

const OPTIONS = { width: 320, margin: 2 };

export function qrPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { type: 'png', ...OPTIONS });
}

export function qrDataUrl(qr: string): Promise<string> {
  return QRCode.toDataURL(qr, OPTIONS);
}
