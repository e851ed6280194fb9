/** What an experiment says of itself for prodeng, from Chaos Toolkit's place for such things. */
export interface ProdengExtension {
  service?: string;
  blastRadius?: number;
  maxBlastRadius?: number;
  page?: boolean;
}

/** Reads `extensions: [{ name: prodeng, service, blastRadius, maxBlastRadius, page }]`; other extensions and wrong types are ignored. */
export function prodengExtension(extensions: unknown[] | undefined): ProdengExtension {
  const ext = (extensions ?? []).find((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'prodeng');
  if (!ext) return {};
  return {
    ...(typeof ext.service === 'string' ? { service: ext.service } : {}),
    ...(typeof ext.blastRadius === 'number' ? { blastRadius: ext.blastRadius } : {}),
    ...(typeof ext.maxBlastRadius === 'number' ? { maxBlastRadius: ext.maxBlastRadius } : {}),
    ...(typeof ext.page === 'boolean' ? { page: ext.page } : {}),
  };
}
