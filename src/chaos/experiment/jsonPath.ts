import { isMapping, pyEquals, pyLessOrEqual, pyTruthy } from './pyValues.js';

/**
 * JSONPath as Chaos Toolkit's `jsonpath` tolerance reads it (the jsonpath2
 * library): `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `.*`,
 * `..` (this node and every node below it), unions `[0,2]` and filters
 * `[?(@.status == "up" and @.replicas > 1)]`. As in jsonpath2, a filter
 * keeps or drops the node it is applied to (so `$.items.*[?(@.ready)]`
 * picks the ready items). A path without the leading `$` is read from the
 * root, as Goessner's examples write it.
 */
export type JsonPath = Segment[];

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number | undefined; end?: number | undefined; step?: number | undefined }
  | { kind: 'filter'; expr: Expr };
type Segment = { descend: boolean; selectors: Selector[] };
type Operand = { kind: 'path'; from: '@' | '$'; path: JsonPath } | { kind: 'literal'; value: unknown };
type Expr =
  | { kind: 'or' | 'and'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'exists'; operand: Operand };

export class JsonPathError extends Error {}

export function parseJsonPath(text: string): JsonPath {
  const p = new Parser(text.trim());
  if (p.text === '') throw new JsonPathError('is empty');
  const path = p.path(false);
  if (!p.done()) throw new JsonPathError(`cannot be read at character ${p.at + 1}: "${p.text.slice(p.at, p.at + 12)}"`);
  return path;
}

export function queryJsonPath(path: JsonPath, root: unknown): unknown[] {
  return evaluate(path, root, root);
}

function evaluate(path: JsonPath, start: unknown, root: unknown): unknown[] {
  let nodes: unknown[] = [start];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const node of nodes) {
      const targets = segment.descend ? descendantsOrSelf(node) : [node];
      for (const target of targets) for (const selector of segment.selectors) next.push(...select(selector, target, root));
    }
    nodes = next;
  }
  return nodes;
}

function descendantsOrSelf(node: unknown): unknown[] {
  const out: unknown[] = [node];
  const children = Array.isArray(node) ? node : isMapping(node) ? Object.values(node) : [];
  for (const child of children) out.push(...descendantsOrSelf(child));
  return out;
}

function select(selector: Selector, node: unknown, root: unknown): unknown[] {
  switch (selector.kind) {
    case 'name':
      return isMapping(node) && Object.hasOwn(node, selector.name) ? [node[selector.name]] : [];
    case 'wildcard':
      return Array.isArray(node) ? [...node] : isMapping(node) ? Object.values(node) : [];
    case 'index': {
      if (!Array.isArray(node)) return [];
      const i = selector.index < 0 ? node.length + selector.index : selector.index;
      return i >= 0 && i < node.length ? [node[i]] : [];
    }
    case 'slice': {
      if (!Array.isArray(node)) return [];
      const step = selector.step ?? 1;
      if (step === 0) return [];
      const n = node.length;
      const norm = (v: number | undefined, dflt: number) => (v === undefined ? dflt : v < 0 ? Math.max(n + v, step > 0 ? 0 : -1) : Math.min(v, step > 0 ? n : n - 1));
      const out: unknown[] = [];
      if (step > 0) for (let i = norm(selector.start, 0); i < norm(selector.end, n); i += step) out.push(node[i]);
      else for (let i = norm(selector.start, n - 1); i > norm(selector.end, -1); i += step) out.push(node[i]);
      return out;
    }
    case 'filter':
      return test(selector.expr, node, root) ? [node] : [];
  }
}

function values(operand: Operand, current: unknown, root: unknown): unknown[] {
  if (operand.kind === 'literal') return [operand.value];
  return evaluate(operand.path, operand.from === '@' ? current : root, root);
}

function test(expr: Expr, current: unknown, root: unknown): boolean {
  switch (expr.kind) {
    case 'or':
      return test(expr.left, current, root) || test(expr.right, current, root);
    case 'and':
      return test(expr.left, current, root) && test(expr.right, current, root);
    case 'not':
      return !test(expr.expr, current, root);
    case 'exists': {
      const found = values(expr.operand, current, root);
      return expr.operand.kind === 'literal' ? pyTruthy(expr.operand.value) : found.length > 0;
    }
    case 'compare': {
      const left = values(expr.left, current, root);
      const right = values(expr.right, current, root);
      return left.some((a) => right.some((b) => compare(expr.op, a, b)));
    }
  }
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '=':
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case '<=':
      return pyLessOrEqual(a, b) === true;
    case '>=':
      return pyLessOrEqual(b, a) === true;
    case '<':
      return pyLessOrEqual(a, b) === true && !pyEquals(a, b);
    case '>':
      return pyLessOrEqual(b, a) === true && !pyEquals(a, b);
    default:
      return false;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;

class Parser {
  at = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }
  private peek(s: string): boolean {
    return this.text.startsWith(s, this.at);
  }
  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.at += s.length;
    return true;
  }
  private blanks(): void {
    while (!this.done() && /\s/.test(this.text[this.at] as string)) this.at++;
  }
  private fail(what: string): never {
    throw new JsonPathError(`expected ${what} at character ${this.at + 1}`);
  }

  /** Segments until something that is not one (the end, or a filter's operator). */
  path(inFilter: boolean): JsonPath {
    const segments: Segment[] = [];
    if (!inFilter && !this.eat('$')) {
      // a bare `foo.bar` is read as `$.foo.bar`
      const name = NAME.exec(this.text.slice(this.at));
      if (!name && !this.peek('[')) this.fail('"$" or a name');
      if (name) {
        this.at += name[0].length;
        segments.push({ descend: false, selectors: [{ kind: 'name', name: name[0] }] });
      }
    }
    for (;;) {
      if (this.eat('..')) {
        if (this.peek('[')) segments.push({ descend: true, selectors: this.brackets() });
        else segments.push({ descend: true, selectors: [this.dotted()] });
      } else if (this.eat('.')) segments.push({ descend: false, selectors: [this.dotted()] });
      else if (this.peek('[')) segments.push({ descend: false, selectors: this.brackets() });
      else return segments;
    }
  }

  private dotted(): Selector {
    if (this.eat('*')) return { kind: 'wildcard' };
    const name = NAME.exec(this.text.slice(this.at));
    if (!name) this.fail('a name or * after "."');
    this.at += name[0].length;
    return { kind: 'name', name: name[0] };
  }

  private brackets(): Selector[] {
    this.eat('[');
    const selectors: Selector[] = [];
    do {
      this.blanks();
      selectors.push(this.subscript());
      this.blanks();
    } while (this.eat(','));
    if (!this.eat(']')) this.fail('"]"');
    return selectors;
  }

  private subscript(): Selector {
    if (this.eat('*')) return { kind: 'wildcard' };
    if (this.peek("'") || this.peek('"')) return { kind: 'name', name: this.string() };
    if (this.eat('?')) {
      this.blanks();
      const wrapped = this.eat('(');
      const expr = this.orExpr();
      this.blanks();
      if (wrapped && !this.eat(')')) this.fail('")" closing the filter');
      return { kind: 'filter', expr };
    }
    const parts: Array<number | undefined> = [this.optionalInt()];
    while (this.eat(':')) parts.push(this.optionalInt());
    if (parts.length === 1) {
      if (parts[0] === undefined) this.fail('an index, a name, * or a filter');
      return { kind: 'index', index: parts[0] };
    }
    if (parts.length > 3) this.fail('a slice start:end:step');
    return { kind: 'slice', start: parts[0], end: parts[1], step: parts[2] };
  }

  private optionalInt(): number | undefined {
    this.blanks();
    const m = /^-?\d+/.exec(this.text.slice(this.at));
    if (!m) return undefined;
    this.at += m[0].length;
    this.blanks();
    return Number(m[0]);
  }

  private string(): string {
    const quote = this.text[this.at++] as string;
    let out = '';
    while (!this.done() && this.text[this.at] !== quote) {
      if (this.text[this.at] === '\\' && this.at + 1 < this.text.length) this.at++;
      out += this.text[this.at++];
    }
    if (!this.eat(quote)) this.fail(`a closing ${quote}`);
    return out;
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    for (;;) {
      this.blanks();
      if (this.eat('||') || this.keyword('or')) left = { kind: 'or', left, right: this.andExpr() };
      else return left;
    }
  }
  private andExpr(): Expr {
    let left = this.notExpr();
    for (;;) {
      this.blanks();
      if (this.eat('&&') || this.keyword('and')) left = { kind: 'and', left, right: this.notExpr() };
      else return left;
    }
  }
  private keyword(word: string): boolean {
    const m = new RegExp(`^${word}\\b`).exec(this.text.slice(this.at));
    if (!m) return false;
    this.at += word.length;
    return true;
  }
  private notExpr(): Expr {
    this.blanks();
    if (this.peek('!') && !this.peek('!=')) {
      this.at++;
      return { kind: 'not', expr: this.notExpr() };
    }
    if (this.keyword('not')) return { kind: 'not', expr: this.notExpr() };
    if (this.eat('(')) {
      const inner = this.orExpr();
      this.blanks();
      if (!this.eat(')')) this.fail('")"');
      return inner;
    }
    const left = this.operand();
    this.blanks();
    const op = ['==', '!=', '<=', '>=', '=', '<', '>'].find((o) => this.peek(o));
    if (!op) return { kind: 'exists', operand: left };
    this.at += op.length;
    this.blanks();
    return { kind: 'compare', op, left, right: this.operand() };
  }
  private operand(): Operand {
    this.blanks();
    if (this.eat('@')) return { kind: 'path', from: '@', path: this.path(true) };
    if (this.eat('$')) return { kind: 'path', from: '$', path: this.path(true) };
    if (this.peek("'") || this.peek('"')) return { kind: 'literal', value: this.string() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.at));
    if (!m) this.fail('@, $, a string, a number, true, false or null');
    this.at += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }
}
