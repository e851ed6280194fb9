import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from './api';
import { onLiveChange, onLiveStatus, type LiveKind } from './liveEvents';

// While the change stream is up, polling is only a safety net.
const POLL_WHILE_LIVE_MS = 30_000;

/**
 * Reads a path, again every `everyMs`, and at once (debounced) when the server
 * streams a change of one of the `liveOn` kinds. `error.status === 401` means
 * the console needs a token. Pages that name `liveOn` kinds poll slowly while
 * the stream is connected: changes arrive through it.
 */
export function useApi<T>(path: string | null, everyMs = 3000, liveOn: readonly LiveKind[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const current = useRef(path);
  current.current = path;
  const load = useCallback(() => {
    if (!path) return;
    api<T>(path).then(
      (d) => {
        if (current.current !== path) return;
        setData(d);
        setError(null);
      },
      (e: unknown) => {
        if (current.current !== path) return;
        setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
      },
    );
  }, [path]);
  const kinds = liveOn.join(',');
  const [live, setLive] = useState(false);
  useEffect(() => (kinds ? onLiveStatus(setLive) : undefined), [kinds]);
  const interval = live ? Math.max(everyMs, POLL_WHILE_LIVE_MS) : everyMs;
  useEffect(() => {
    load();
    const timer = setInterval(load, interval);
    return () => clearInterval(timer);
  }, [load, interval]);
  useEffect(() => {
    if (!kinds) return;
    const wanted = kinds.split(',');
    let pending: ReturnType<typeof setTimeout> | null = null;
    const off = onLiveChange((kind) => {
      if (!wanted.includes(kind) || pending) return;
      pending = setTimeout(() => {
        pending = null;
        load();
      }, 150);
    });
    return () => {
      off();
      if (pending) clearTimeout(pending);
    };
  }, [kinds, load]);
  return { data, error, reload: load };
}
