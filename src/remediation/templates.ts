// The runbook template syntax: `{{ labels.instance }}` and nothing more.
// A template names values; it cannot call, compute or branch, so alert data
// can fill a parameter but never change what a step does.
//
// A parameter named `url` is a URL template (the http step's, a probe's):
// each value in it is encoded for the part of the URL it sits in, and it
// may choose the host or port only beside an `allowedHosts` list (see
// urlTemplate.ts; the step or probe checks the host against the list).

import { renderUrlTemplate, urlTemplateProblems } from './urlTemplate.js';

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
  constructor(
    message: string,
    readonly code: string = 'template_invalid',
  ) {
    super(message);
  }
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

export interface TemplateProblem {
  /** where in the value, e.g. ["http", "url"] */
  path: Array<string | number>;
  message: string;
}

/** A URL template may choose its host only beside a non-empty allowedHosts list. */
function allowsHosts(params: object): boolean {
  const list = (params as { allowedHosts?: unknown }).allowedHosts;
  return Array.isArray(list) && list.length > 0;
}

/** Every template in a value (string, array or object), for validation at load time, with where it is. */
export function templateProblems(value: unknown, path: Array<string | number> = []): TemplateProblem[] {
  if (typeof value === 'string') {
    try {
      parseTemplate(value);
      return [];
    } catch (err) {
      return [{ path, message: (err as Error).message }];
    }
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => templateProblems(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => {
      const problems = templateProblems(v, [...path, key]);
      if (key !== 'url' || typeof v !== 'string' || problems.length > 0) return problems;
      return urlTemplateProblems(v, parseTemplate(v), allowsHosts(value)).map((message) => ({ path: [...path, key], message }));
    });
  }
  return [];
}

/** The messages of templateProblems, without where. */
export function templateErrors(value: unknown): string[] {
  return templateProblems(value).map((p) => p.message);
}

// Own properties only: `{{ labels.constructor }}` is a label called
// constructor or nothing, never what every object inherits.
function lookup(ref: string[], ctx: TemplateContext): string | number | null | undefined {
  const [root, key] = ref as [string, string | undefined];
  if (root === 'target') return ctx.target;
  const values = root === 'labels' ? ctx.labels : root === 'annotations' ? ctx.annotations : ctx.alert;
  return key !== undefined && Object.hasOwn(values, key) ? values[key] : undefined;
}

const shown = (v: string | number | null | undefined) => (v === undefined || v === null ? undefined : String(v));

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
    const found = shown(lookup(part.ref, ctx));
    if (found === undefined || found === '') missing.push(part.ref.join('.'));
    else value += found;
  }
  return { value, missing };
}

/**
 * Renders a URL template, each value encoded for its part of the URL;
 * throws TemplateError (code url_*) for a value that may not go where the
 * template puts it: nothing half-safe is sent.
 */
export function renderUrl(template: string, ctx: TemplateContext, hostsAllowed: boolean): { value: string; missing: string[] } {
  const r = renderUrlTemplate(template, parseTemplate(template), (ref) => shown(lookup(ref, ctx)), hostsAllowed);
  if (!r.ok) throw new TemplateError(r.refusal.message, r.refusal.code);
  return { value: r.value, missing: r.missing };
}

/** Renders every string inside a parameter value, keeping its shape: an argv array stays an array of single arguments, a url stays one URL. */
export function renderParams(value: unknown, ctx: TemplateContext, missing: string[] = []): unknown {
  if (typeof value === 'string') {
    const r = renderTemplate(value, ctx);
    missing.push(...r.missing);
    return r.value;
  }
  if (Array.isArray(value)) return value.map((v) => renderParams(v, ctx, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k !== 'url' || typeof v !== 'string') return [k, renderParams(v, ctx, missing)];
        const r = renderUrl(v, ctx, allowsHosts(value));
        missing.push(...r.missing);
        return [k, r.value];
      }),
    );
  }
  return value;
}
