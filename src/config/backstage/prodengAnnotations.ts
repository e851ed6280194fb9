// Annotations prodeng reads on Backstage entities (and writes on export) for
// what Backstage has no field for, so that export then import gives back the
// same prodeng documents. None of them ever holds a secret.

/** On a Component: the dependencies (refs or names, comma or space separated) it degrades without instead of failing. */
export const OPTIONAL_DEPENDENCIES = 'prodeng.dev/optional-dependencies';
/** On a Component: bootstrap, scale or excellence (prodeng's maturity phase). */
export const PHASE = 'prodeng.dev/phase';
/** On a User: an IANA time zone. */
export const TIME_ZONE = 'prodeng.dev/time-zone';
/** On a Component: `name=ENV_VAR, …`, the integration keys by the environment variables that hold them. */
export const INTEGRATION_KEYS = 'prodeng.dev/integration-keys';
/** On a prodeng Service imported from a Resource, or a Component whose type is not `service`: what it was in Backstage. */
export const BACKSTAGE_KIND = 'prodeng.dev/backstage-kind';
export const BACKSTAGE_TYPE = 'prodeng.dev/backstage-type';

/** Backstage's own annotations that prodeng maps to fields. */
export const SOURCE_LOCATION = 'backstage.io/source-location';
export const GITHUB_PROJECT_SLUG = 'github.com/project-slug';
/** Holds a secret (the PagerDuty Events API routing key): never copied into prodeng config. */
export const PAGERDUTY_INTEGRATION_KEY = 'pagerduty.com/integration-key';

/** `PAGERDUTY_INTEGRATION_KEY_CHECKOUT_API`: where a service's PagerDuty key is expected to come from. */
export function pagerDutyKeyEnv(serviceName: string): string {
  return `PAGERDUTY_INTEGRATION_KEY_${serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** `a, b c` → [a, b, c] */
export function listAnnotation(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((s) => s !== '');
}

/** `pagerduty=ENV_A, ops=ENV_B` → [{name, env}]; entries without `=` are skipped. */
export function integrationKeysAnnotation(value: string | undefined): Array<{ name: string; env: string }> {
  return listAnnotation(value).flatMap((entry) => {
    const eq = entry.indexOf('=');
    return eq > 0 ? [{ name: entry.slice(0, eq), env: entry.slice(eq + 1) }] : [];
  });
}

/**
 * The repository a source-location names (`url:https://github.com/acme/shop/tree/main/`
 * → `https://github.com/acme/shop`; `file:/srv/shop` → `/srv/shop`): the git
 * URL, without the branch and folder a browser URL adds.
 */
export function repositoryFromSourceLocation(location: string): string {
  const target = location.replace(/^(url|file|dir):/, '');
  if (!/^https?:\/\//.test(target)) return target;
  return target.replace(/\/(-\/)?(tree|blob|src)\/.*$/, '').replace(/\/+$/, '');
}

/** What export writes for a repository, and what import drops as said by the repository field. */
export function sourceLocationOf(repository: string): string {
  const localPath = /^(\/|\.{1,2}\/|~)/.test(repository);
  return localPath ? `file:${repository}` : `url:${repository}`;
}
