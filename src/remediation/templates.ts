// The runbook template syntax: `{{ labels.instance }}` and nothing more.
// A template names values; it cannot call, compute or branch, so alert data
// can fill a parameter but never change what a step does.

export type TemplatePart = { text: string } | { ref: string[] };

export interface TemplateContext {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  alert: Record<string, string | number | null>;
  target?: string;
}

const roots = ['labels', 'annotations', 'alert', 'target'] as const;
const alertFields = ['id', 'fingerprint', 'summary', 'severity', 'service', 'host', 'source', 'status'];

export class TemplateError extends Error {
  readonly code = 'template_invalid';
}

/** Splits a template into literal text and references; throws TemplateError naming the problem. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      if (rest.includes('}}')) throw new TemplateError(`"}}" without "{{" in ${JSON.stringify(template)}`);
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open);
    if (close < 0) throw new TemplateError(`"{{" is not closed in ${JSON.stringify(template)}`);
    const expr = rest.slice(open + 2, close).trim();
    parts.push({ ref: parseReference(expr, template) });
    rest = rest.slice(close + 2);
  }
  return parts;
}

function parseReference(expr: string, template: string): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(expr)) {
    throw new TemplateError(
      `{{ ${expr} }} is not a value reference; write {{ labels.NAME }}, {{ annotations.NAME }}, {{ alert.FIELD }} or {{ target }} (templates hold values only, no code)`,
    );
  }
  const path = expr.split('.');
  const root = path[0] as string;
  if (!(roots as readonly string[]).includes(root)) {
    throw new TemplateError(`{{ ${expr} }}: unknown name "${root}"; use labels, annotations, alert or target`);
  }
  if (root === 'target' && path.length > 1) throw new TemplateError(`{{ ${expr} }}: target has no fields`);
  if (root !== 'target' && path.length !== 2) throw new TemplateError(`{{ ${expr} }}: say which one, e.g. {{ ${root}.${root === 'alert' ? 'host' : 'instance'} }}`);
  if (root === 'alert' && !alertFields.includes(path[1] as string)) {
    throw new TemplateError(`{{ ${expr} }}: an alert has ${alertFields.join(', ')}`);
  }
  return path;
}

/** Every template in a value (string, array or object), for validation at load time. */
export function templateErrors(value: unknown): string[] {
  if (typeof value === 'string') {
    try {
      parseTemplate(value);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  }
  if (Array.isArray(value)) return value.flatMap(templateErrors);
  if (value && typeof value === 'object') return Object.values(value).flatMap(templateErrors);
  return [];
}

/**
 * Renders to exactly one string. A missing value renders as "" and is
 * reported in `missing`, so a caller can refuse a step whose target or
 * argument came out empty.
 */
export function renderTemplate(template: string, ctx: TemplateContext): { value: string; missing: string[] } {
  const missing: string[] = [];
  let value = '';
  for (const part of parseTemplate(template)) {
    if ('text' in part) {
      value += part.text;
      continue;
    }
    const [root, key] = part.ref as [string, string | undefined];
    const found =
      root === 'target' ? ctx.target : root === 'labels' ? ctx.labels[key!] : root === 'annotations' ? ctx.annotations[key!] : ctx.alert[key!];
    if (found === undefined || found === null || found === '') missing.push(part.ref.join('.'));
    else value += String(found);
  }
  return { value, missing };
}

/** Renders every string inside a parameter value, keeping its shape: an argv array stays an array of single arguments. */
export function renderParams(value: unknown, ctx: TemplateContext, missing: string[] = []): unknown {
  if (typeof value === 'string') {
    const r = renderTemplate(value, ctx);
    missing.push(...r.missing);
    return r.value;
  }
  if (Array.isArray(value)) return value.map((v) => renderParams(v, ctx, missing));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderParams(v, ctx, missing)]));
  return value;
}
