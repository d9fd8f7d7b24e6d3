declare module 'qrcode-terminal' {
  export function generate(text: string, opts?: { small?: boolean }, cb?: (qr: string) => void): void;
  const _default: { generate: typeof generate };
  export default _default;
}
declare module 'dynalite' {
  import type { Server } from 'node:http';

  function dynalite(options?: {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    ssl?: boolean;
  }): Server;
  export default dynalite;
}
declare module 'asl-validator' {
  const validator: (
    definition: unknown,
    opts?: Record<string, unknown>,
  ) => { isValid: boolean; errors: unknown[]; errorsText: (sep?: string) => string };
  export default validator;
}
