/**
 * The approval page's HTML (issue 10 §2). Every value shown goes through Hono's `html` template, which
 * escapes it: the reason and the names are other people's text. No script, no external asset, no inline
 * style attribute (the CSP allows only the one hashed stylesheet).
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { RequestView } from '../../core/request-view.js';
import { MAX_REASON_LENGTH } from '../../core/text.js';
import { PAGE_STYLE } from './style.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A notice above the request: the outcome of a decision, or why it was refused. */
export interface Notice {
  kind: 'done' | 'error';
  title: string;
  detail: string;
}

function layout(title: string, body: Html, refreshSeconds?: number): Html {
  const refresh = refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">\n` : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
${refresh}<title>${title} · stsftw</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<main>
${body}
<footer>stsftw credential broker</footer>
</main>
</body>
</html>
`;
}

/** `1 h`, `15 min`, `1 h 30 min`. */
export function sessionLength(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const min = Math.round((seconds % 3600) / 60);
  return [h ? `${h} h` : '', min ? `${min} min` : ''].filter(Boolean).join(' ') || `${seconds} s`;
}

/** `2026-12-02 03:40 UTC (in 14 min)`; the page has no script, so the time is the broker's. */
export function deadlineText(iso: string, now: number): string {
  const at = new Date(iso);
  const clock = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const left = Math.round((at.getTime() - now) / 60_000);
  if (left < 0) return `${clock} (passed)`;
  return `${clock} (in ${left < 1 ? 'less than a minute' : `${left} min`})`;
}

function approvalsText(view: RequestView): string {
  const names = view.approvals.map((a) => a.accountName);
  const required = Math.max(view.approvalsRequired, 1);
  return `${names.length} of ${required}${names.length ? `: ${names.join(', ')}` : ''}`;
}

function noticeBlock(notice: Notice | undefined): Html | string {
  if (!notice) return '';
  return html`<div class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}"><strong>${notice.title}</strong>${notice.detail}</div>`;
}

function details(view: RequestView, now: number): Html {
  return html`<p class="lede"><strong>${view.accountName}</strong> (${view.issuer}) asks for <code>${view.role}</code> for ${sessionLength(view.durationSeconds)}.</p>
<dl>
<dt>Reason</dt><dd>${view.reason ?? 'None given.'}</dd>
<dt>Verification code</dt><dd class="vcode">${view.verificationCode}</dd>
<dt>Decide by</dt><dd>${deadlineText(view.decisionDeadline, now)}</dd>
<dt>Approvals</dt><dd>${approvalsText(view)}</dd>
<dt>Request</dt><dd class="mono">${view.id}</dd>
</dl>`;
}

function form(view: RequestView, accountName: string): Html {
  return html`<p class="hint">Approve only if ${view.accountName} sees the same verification code and you know why they need this role.</p>
<form method="post" action="${view.id}">
<label for="accountName">Your account name</label>
<input id="accountName" name="accountName" value="${accountName}" required maxlength="256" autocomplete="username" autocapitalize="none" spellcheck="false">
<label for="totpCode">Your 6-digit code</label>
<input id="totpCode" name="totpCode" required inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6">
<label for="reason">Reason for a denial (optional)</label>
<textarea id="reason" name="reason" rows="3" maxlength="${MAX_REASON_LENGTH}"></textarea>
<div class="buttons">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" class="deny">Deny</button>
</div>
</form>`;
}

/** How the request page is drawn beyond the request: a notice on top, the form (and the name it keeps). */
export interface PageOptions {
  notice?: Notice;
  /** Show the form (only ever while the request waits for approvers). */
  form: boolean;
  accountName?: string;
}

/** The request, a notice on top (an outcome, a refusal) and, when asked for, the form. */
export function requestPage(view: RequestView, now: number, options: PageOptions): Html {
  const { notice, accountName = '' } = options;
  const waiting = options.form && view.status === 'AWAITING_APPROVAL';
  return layout(
    `Request ${view.id}`,
    html`<h1>Access request</h1>
${noticeBlock(notice)}
${details(view, now)}
${waiting ? form(view, accountName) : ''}`,
  );
}

/** A request still being checked: the page reloads itself (no script: a refresh header in the markup). */
export function verifyingPage(id: string): Html {
  return layout(
    `Request ${id}`,
    html`<h1>Access request</h1>
${noticeBlock({ kind: 'done', title: 'Not ready yet.', detail: "The requester's code is still being checked. This page reloads in a moment." })}
<p><a href="${id}">Reload</a></p>`,
    2,
  );
}

/** Any refusal without a request to show (unknown id, a finished request, a bad form, an outage). */
export function messagePage(title: string, detail: string): Html {
  return layout(
    title,
    html`<h1>${title}</h1>
<div class="notice error" role="alert">${detail}</div>`,
  );
}
