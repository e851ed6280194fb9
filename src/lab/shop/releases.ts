/**
 * What a shop version does, so the lab can ship a bad release on purpose:
 * `N` is a good build; a suffix makes it worse in one way a canary should
 * catch (and that /healthz, on purpose, does not show: a release that
 * fails its health check never gets traffic, which is the easy case).
 *
 *   2-bad     10% of requests answer 500, and every answer is 80 ms slower
 *   2-errors  10% of requests answer 500
 *   2-slow    every answer is 250 ms slower
 *   2-crashy  POST requests answer 500 (one path broken: the page works, checkout does not)
 */
export interface ReleaseBehaviour {
  version: string;
  errorShare: number;
  extraMs: number;
  failPosts: boolean;
}

const VERSION_PATTERN = /^[0-9][0-9A-Za-z.]*(-(bad|errors|slow|crashy))?$/;

export function isShopVersion(version: string): boolean {
  return VERSION_PATTERN.test(version);
}

export function releaseBehaviour(version: string): ReleaseBehaviour {
  const flaw = /-(bad|errors|slow|crashy)$/.exec(version)?.[1];
  return {
    version,
    errorShare: flaw === 'bad' || flaw === 'errors' ? 0.1 : 0,
    extraMs: flaw === 'bad' ? 80 : flaw === 'slow' ? 250 : 0,
    failPosts: flaw === 'crashy',
  };
}
