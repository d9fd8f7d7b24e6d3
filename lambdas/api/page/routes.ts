/**
 * `GET /approve/{id}` and `POST /approve/{id}` (issue 10 §2): the request as a page and a form to decide
 * on it, for an approver without the CLI (a phone, a notification's link). The form posts
 * `application/x-www-form-urlencoded` here, and the decision is the broker's own `approve`/`deny` — the
 * same rules, codes and lockout as the JSON API. The code travels only in the POST body, never in a URL.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Broker } from '../../core/broker.js';
import { AppError } from '../../core/errors.js';
import type { RequestView } from '../../core/request-view.js';
import { Hono } from '../hono.js';
import { requestIdParam } from '../middleware.js';
import { isPublicCode, problem, UnsupportedMediaTypeError } from '../problem.js';
import { bounds } from '../validation.js';
import { parseDecisionForm } from './form.js';
import { type Notice, requestPage, verifyingPage } from './views.js';

/** Refusals after which the approver may correct the form and try again on the same page. */
const RETRYABLE = new Set(['invalid_request', 'invalid_credentials', 'not_an_approver', 'self_approval']);

/** What the page's routes need: the broker's use cases and the time the deadline is shown against. */
export interface PageDeps {
  broker: Broker;
  now?: () => number;
}

function finishedNotice(view: RequestView): Notice {
  const title = 'No longer waiting for a decision.';
  switch (view.status) {
    case 'APPROVED':
    case 'MINTED':
      return { kind: 'error', title, detail: 'It has been approved.' };
    case 'DENIED':
      return { kind: 'error', title, detail: `It was denied${view.deniedBy ? ` by ${view.deniedBy}` : ''}.` };
    case 'EXPIRED':
      return { kind: 'error', title, detail: 'It expired before enough approvers decided.' };
    default:
      return { kind: 'error', title, detail: 'It ended without credentials.' };
  }
}

function remaining(n: number): string {
  return n === 1 ? 'one more approval' : `${n} more approvals`;
}

/** The page routes, mounted at `/approve`. */
export function approvalPageRoutes(deps: PageDeps) {
  const { broker } = deps;
  const now = deps.now ?? Date.now;
  const page = (c: Context, body: ReturnType<typeof requestPage>, status: number) =>
    c.html(body, status as ContentfulStatusCode);

  return new Hono()
    .get('/:id', requestIdParam, async (c) => {
      const view = await broker.getRequest(c.req.valid('param').id);
      if (view.status === 'VERIFYING') return page(c, verifyingPage(view.id), 200);
      if (view.status === 'AWAITING_APPROVAL') return page(c, requestPage(view, now(), { form: true }), 200);
      return page(c, requestPage(view, now(), { form: false, notice: finishedNotice(view) }), 410);
    })
    .post('/:id', requestIdParam, async (c) => {
      const { id } = c.req.valid('param');
      const mediaType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (mediaType !== 'application/x-www-form-urlencoded') {
        throw new UnsupportedMediaTypeError('The form must be sent as application/x-www-form-urlencoded.');
      }
      let accountName = '';
      try {
        const form = parseDecisionForm(await c.req.text(), bounds.name, bounds.code);
        accountName = form.accountName;
        let notice: Notice;
        if (form.decision === 'approve') {
          const result = await broker.approve(id, { accountName, totpCode: form.totpCode });
          notice =
            result.status === 'APPROVED'
              ? {
                  kind: 'done',
                  title: 'Approved.',
                  detail: 'The credentials are being issued to the requester. You can close this page.',
                }
              : {
                  kind: 'done',
                  title: 'Your approval is counted.',
                  detail: `The request needs ${remaining(result.approvalsRemaining)} from the other approvers.`,
                };
        } else {
          await broker.deny(id, { accountName, totpCode: form.totpCode, reason: form.reason });
          notice = {
            kind: 'done',
            title: 'Denied.',
            detail: 'No credentials will be issued; the requester sees your denial.',
          };
        }
        return page(c, requestPage(await broker.getRequest(id), now(), { form: false, notice }), 200);
      } catch (e) {
        if (!(e instanceof AppError) || !isPublicCode(e.code) || e.status >= 500) throw e;
        // The request as it is now, under the refusal; unknown ids and the like fall through to the error page.
        const view = await broker.getRequest(id);
        const notice: Notice = { kind: 'error', title: problem(e.status, e.code, e.message).title, detail: e.message };
        const form = RETRYABLE.has(e.code) && view.status === 'AWAITING_APPROVAL';
        return page(c, requestPage(view, now(), { form, notice, accountName }), e.status);
      }
    });
}
