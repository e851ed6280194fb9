/** An API time (ISO 8601) in the reader's own locale and zone; '-' when there is none. */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '-');
