import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api';

/** Reads a path, again every `everyMs`; `error.status === 401` means the console needs a token. */
export function useApi<T>(path: string, everyMs = 3000) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(() => {
    api<T>(path).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, String(e))),
    );
  }, [path]);
  useEffect(() => {
    load();
    const timer = setInterval(load, everyMs);
    return () => clearInterval(timer);
  }, [load, everyMs]);
  return { data, error, reload: load };
}
