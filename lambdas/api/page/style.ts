/**
 * The approval page's one stylesheet, inlined and allowed by its hash: the page loads nothing else, so its
 * Content-Security-Policy can stay `default-src 'none'`.
 */
import { createHash } from 'node:crypto';

/** Phone-first, system fonts, no external asset; light and dark. Inserted as is: it must never hold `<`. */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;--ok:#1a7f37;--bad:#cf222e;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--ok:#3fb950;--bad:#f85149;--accent:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1.25rem 1rem 2rem}
h1{font-size:1.35rem;margin:0 0 .75rem}
.lede{font-size:1.1rem;margin:0 0 1rem;overflow-wrap:anywhere}
dl{margin:0 0 1rem;padding:.75rem 1rem;background:var(--card);border:1px solid var(--line);border-radius:.5rem}
dt{color:var(--muted);font-size:.85rem;margin-top:.5rem}
dt:first-child{margin-top:0}
dd{margin:0;overflow-wrap:anywhere;white-space:pre-wrap}
.vcode{font:700 2.25rem/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.12em}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em;overflow-wrap:anywhere}
.hint{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
input,textarea{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}
input[name=totpCode]{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.4rem;letter-spacing:.2em}
.buttons{display:flex;gap:.75rem;margin-top:1.25rem}
button{flex:1;font:inherit;font-weight:600;padding:.8rem;border:0;border-radius:.4rem;color:#fff;background:var(--ok);cursor:pointer}
button.deny{background:var(--bad)}
.notice{padding:.75rem 1rem;border-radius:.5rem;border:1px solid var(--line);margin:0 0 1rem}
.notice.error{border-color:var(--bad)}
.notice.done{border-color:var(--ok)}
.notice strong{display:block}
a{color:var(--accent)}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
`.trim();

const styleHash = createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64');

/**
 * The pages' policy: nothing but the stylesheet above; forms post only back to the broker; never framed;
 * no `<base>` to redirect relative links.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${styleHash}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
