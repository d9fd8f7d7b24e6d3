/** Terminal QR codes for authenticator apps. */
import qrcode from 'qrcode-terminal';

/** Renders `text` as a QR code made of block characters (half-height rows, so it fits a terminal). */
export function renderQr(text: string): Promise<string> {
  return new Promise((resolve) => qrcode.generate(text, { small: true }, resolve));
}
