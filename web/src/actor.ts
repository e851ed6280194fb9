import { useEffect, useState } from 'react';
import { api } from './api';

const WHO_KEY = 'prodeng.who';

export interface Principal {
  name: string;
  role: string;
  user: string | null;
  via: 'token' | 'link' | 'local';
}

let whoami: Promise<Principal | null> | null = null;

/** Who the server takes this console to be (from its token), asked once per token. */
export function currentPrincipal(): Promise<Principal | null> {
  whoami ??= api<Principal>('/api/v1/whoami').catch(() => null);
  return whoami;
}

/** After a new token is entered. */
export function forgetPrincipal(): void {
  whoami = null;
}

/**
 * The name a person acts under (acks, notes, drains, silences). With a
 * token that names a user, the server records that user whatever is typed,
 * so the name is the token's and cannot be changed here; otherwise it is
 * the name typed, remembered on this browser.
 */
export function useActor(): [string, (name: string) => void, () => string | null] {
  const [who, setWho] = useState(() => localStorage.getItem(WHO_KEY) ?? '');
  const [fixed, setFixed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void currentPrincipal().then((p) => live && setFixed(p?.user ?? null));
    return () => {
      live = false;
    };
  }, []);
  /** The trimmed name, saved for next time; null when none was given. */
  const commit = () => {
    if (fixed) return fixed;
    const name = who.trim();
    if (!name) return null;
    localStorage.setItem(WHO_KEY, name);
    return name;
  };
  return [fixed ?? who, fixed ? () => undefined : setWho, commit];
}
