// deadline.js - an advisory's acknowledgement deadline for the recipient
// reading it: a clock time (JST; the hub's `mine.ack_due`, release plus
// the advisory's deadline) with a mark once it has passed without an
// acknowledgement. Used by the inbox and the advisory page.
import { h, time, flag } from './dom.js';
import { t, dur } from './i18n.js';

/* The deadline of advisory a (AdvisorySummary/Advisory with `mine`) as
 * milliseconds since the epoch, or null when it was not released to the
 * reader's organisation (or it is not a recipient). */
export function ackDueMs(a) {
  const due = a && a.mine && a.mine.ack_due ? Date.parse(a.mine.ack_due) : NaN;
  return isNaN(due) ? null : due;
}

/* "確認期限 2026-11-30 14:35 JST" + "期限超過" when passed and not
 * acknowledged; "1日以内に確認" / "acknowledge within 1 day" (a duration
 * in words) when there is no release time. */
export function ackDue(a, now = Date.now()) {
  const due = ackDueMs(a);
  if (due === null) return h('span', { cls: 'meta ackdue' }, t('inbox.deadline', { m: dur(a.ack_deadline_min * 60) }));
  const acked = !!(a.mine && (a.mine.acknowledged || a.mine.acked_at));
  const late = !acked && due < now;
  return h('span', { cls: 'meta ackdue', 'data-overdue': late ? 'true' : 'false' },
    t('ackdue.label') + ' ', time(new Date(due).toISOString()), late ? [' ', flag(t('ackdue.overdue'), 'warn')] : null);
}
