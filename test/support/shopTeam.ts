/**
 * Config for tests: team shop owning the named services, as YAML documents
 * (a service given as `name: { job: x }` also gets those labels).
 */
export function shopTeam(...services: Array<string | [string, Record<string, string>]>): string {
  const docs = ['apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: shop }\nspec: {}\n'];
  for (const s of services) {
    const [name, labels] = typeof s === 'string' ? [s, undefined] : s;
    const spec = labels ? `{ owner: shop, labels: { ${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')} } }` : '{ owner: shop }';
    docs.push(`apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: ${name} }\nspec: ${spec}\n`);
  }
  return docs.join('---\n');
}
