/** Reading the request a task works on. */
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { Clock, RequestStore } from '../ports.js';
import type { RequestRecord, RequestStatus } from '../types.js';

/** The request `id`, or NotFoundError. */
export async function loadRequest(requests: RequestStore, clock: Clock, id: string): Promise<RequestRecord> {
  const record = await requests.get(id, clock.now());
  if (!record) throw new NotFoundError();
  return record;
}

/** The request `id` in `status`, or InvalidRequestError naming the status it is in (NotFoundError if none). */
export async function loadRequestIn(
  requests: RequestStore,
  clock: Clock,
  id: string,
  status: RequestStatus,
): Promise<RequestRecord> {
  const record = await loadRequest(requests, clock, id);
  if (record.status !== status) throw new InvalidRequestError(`The request is ${record.status}, not ${status}.`);
  return record;
}
