import { useState } from 'react';

const WHO_KEY = 'prodeng.who';

/** The name a person acts under (acks, notes, drains, silences), remembered on this browser. */
export function useActor(): [string, (name: string) => void, () => string | null] {
  const [who, setWho] = useState(() => localStorage.getItem(WHO_KEY) ?? '');
  /** The trimmed name, saved for next time; null when none was given. */
  const commit = () => {
    const name = who.trim();
    if (!name) return null;
    localStorage.setItem(WHO_KEY, name);
    return name;
  };
  return [who, setWho, commit];
}
