/** Work kinds of paging: an escalation step of an incident, and one notification to deliver. */
export const PAGE_WORK = 'incident.page';
export const NOTIFY_WORK = 'notification.send';
