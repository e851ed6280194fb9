/** A fleet operation that cannot be done, with a reason a person can act on. */
export class FleetError extends Error {
  constructor(
    readonly code: 'host_not_found' | 'illegal_transition' | 'host_exists' | 'pool_not_found' | 'provider_failed' | 'capacity',
    message: string,
  ) {
    super(message);
  }
}
