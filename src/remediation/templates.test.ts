import { describe, expect, it } from 'vitest';
import { parseTemplate, renderParams, renderTemplate, templateErrors, templateProblems } from './templates.js';

const ctx = {
  labels: { instance: 'web-1', evil: 'x; touch /tmp/pwned', sub: '$(reboot)' },
  annotations: { summary: 'web-1 is down' },
  alert: { id: 7, host: 'web-1:9100', service: 'frontend', severity: 'critical', fingerprint: 'ab', summary: 's', source: 'prometheus', status: 'firing' },
  target: 'web-1',
};

describe('runbook templates', () => {
  it('renders labels, annotations, alert fields and the target', () => {
    expect(renderTemplate('web@{{ labels.instance }}', ctx).value).toBe('web@web-1');
    expect(renderTemplate('{{annotations.summary}} ({{ alert.severity }}) on {{ target }}', ctx).value).toBe('web-1 is down (critical) on web-1');
  });

  it('keeps each templated value one argument, however hostile the label', () => {
    const argv = renderParams(['systemctl', 'restart', 'web@{{ labels.evil }}', '{{ labels.sub }}'], ctx);
    expect(argv).toEqual(['systemctl', 'restart', 'web@x; touch /tmp/pwned', '$(reboot)']);
  });

  it('reports what rendered empty', () => {
    const r = renderTemplate('{{ labels.missing }}', ctx);
    expect(r).toEqual({ value: '', missing: ['labels.missing'] });
  });

  it('refuses anything but a value reference', () => {
    for (const bad of ['{{ labels.instance | upper }}', '{{ process.env.HOME }}', '{{ labels }}', '{{ constructor.constructor }}', '{{ alert.password }}', '{{ labels.a', 'x }}', '{{ 1+1 }}']) {
      expect(() => parseTemplate(bad), bad).toThrow();
    }
    expect(templateErrors({ argv: ['ok', '{{ bad stuff }}'] })).toHaveLength(1);
  });
});

describe('template lookups see the alert own values only', () => {
  it('renders nothing for names every object inherits (constructor, __proto__, toString)', () => {
    const bare = { labels: { instance: 'web-1' }, annotations: {}, alert: {} };
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(renderTemplate(`{{ labels.${name} }}`, bare), name).toEqual({ value: '', missing: [`labels.${name}`] });
      expect(renderTemplate(`{{ annotations.${name} }}`, bare), name).toEqual({ value: '', missing: [`annotations.${name}`] });
    }
  });

  it('still renders a label that is really called constructor', () => {
    expect(renderTemplate('{{ labels.constructor }}', { labels: { constructor: 'acme' } as Record<string, string>, annotations: {}, alert: {} }).value).toBe('acme');
  });
});

describe('a templated value in a URL stays in the part of the URL it sits in', () => {
  const alert = (labels: Record<string, string>) => ({ labels, annotations: {}, alert: {} });
  const url = (template: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) =>
    (renderParams({ url: template, ...extra }, alert(labels)) as { url: string }).url;

  it('encodes a path value as one segment: / ? # & @ and .. cannot climb or reshape', () => {
    const t = 'http://lb.internal/pools/web/members/{{ labels.node }}/drain';
    expect(url(t, { node: 'web-1' })).toBe('http://lb.internal/pools/web/members/web-1/drain');
    expect(url(t, { node: '../../etc/passwd' })).toBe('http://lb.internal/pools/web/members/..%2F..%2Fetc%2Fpasswd/drain');
    expect(url(t, { node: 'a?admin=1#x' })).toBe('http://lb.internal/pools/web/members/a%3Fadmin%3D1%23x/drain');
    expect(url(t, { node: 'u@evil.example' })).toBe('http://lb.internal/pools/web/members/u%40evil.example/drain');
    expect(url(t, { node: 'a\\..\\b' })).toBe('http://lb.internal/pools/web/members/a%5C..%5Cb/drain');
    // what fetch would send: the segment is still one segment
    expect(new URL(url(t, { node: '../../etc/passwd' })).pathname).toBe('/pools/web/members/..%2F..%2Fetc%2Fpasswd/drain');
  });

  it('refuses a value that would make a path segment . or .. (encoded dots climb too)', () => {
    const t = 'http://lb.internal/pools/web/members/{{ labels.node }}/drain';
    for (const node of ['..', '.']) expect(() => url(t, { node }), node).toThrow(/labels\.node.*path segment/);
    // a value that is itself percent-encoded is sent as those characters, not decoded into dots
    expect(url(t, { node: '%2e%2E' })).toBe('http://lb.internal/pools/web/members/%252e%252E/drain');
    expect(() => url('http://lb.internal/x/{{ labels.a }}{{ labels.b }}/y', { a: '.', b: '.' })).toThrow(/path segment/);
    // part of a longer segment, a dot is just a character
    expect(url('http://lb.internal/x/v{{ labels.a }}', { a: '..' })).toBe('http://lb.internal/x/v..');
  });

  it('encodes query names and values and the fragment with encodeURIComponent', () => {
    expect(url('https://lb.internal/drain?host={{ labels.node }}&{{ labels.k }}=1#{{ labels.f }}', { node: 'a&admin=true#x', k: 'b=c', f: 'top secret' })).toBe(
      'https://lb.internal/drain?host=a%26admin%3Dtrue%23x&b%3Dc=1#top%20secret',
    );
  });

  it('leaves values outside a url parameter as they are (argv, headers, bodies)', () => {
    expect(renderParams({ argv: ['x', '{{ labels.node }}'], body: { path: '{{ labels.node }}' } }, alert({ node: '../a b' }))).toEqual({ argv: ['x', '../a b'], body: { path: '../a b' } });
  });

  it('lets a template pick the host only beside allowedHosts, and only with host characters', () => {
    const t = 'http://{{ labels.instance }}/healthz';
    expect(() => url(t, { instance: 'web-1:8080' })).toThrow(/allowedHosts/);
    const allowed = { allowedHosts: ['web-*:8080'] };
    expect(url(t, { instance: 'web-1:8080' }, allowed)).toBe('http://web-1:8080/healthz');
    expect(url(t, { instance: '[::1]:8080' }, allowed)).toBe('http://[::1]:8080/healthz');
    for (const instance of ['evil.example/x#', 'user@evil.example', 'a?b', 'web-1 :80', 'a%2fb']) {
      expect(() => url(t, { instance }, allowed), instance).toThrow(/labels\.instance.*host/);
    }
    expect(() => url('http://web-1:{{ labels.port }}/', { port: '80/x' }, allowed)).toThrow(/port/);
    expect(url('http://web-1:{{ labels.port }}/', { port: '8080' }, allowed)).toBe('http://web-1:8080/');
  });
});

describe('URL templates are checked at load time', () => {
  it('reports a template in the host or port without allowedHosts, with where it is', () => {
    expect(templateProblems({ http: { url: 'http://{{ labels.instance }}/healthz' } })).toEqual([
      {
        path: ['http', 'url'],
        message: expect.stringMatching(/^\{\{ labels\.instance \}\} would choose the host of "http:\/\/\{\{ labels\.instance \}\}\/healthz".*allowedHosts/),
      },
    ]);
    expect(templateProblems({ url: 'http://lb:{{ labels.port }}/x' })[0]?.message).toMatch(/port.*allowedHosts/);
    expect(templateProblems({ url: 'http://{{ labels.instance }}/healthz', allowedHosts: ['web-*:8080'] })).toEqual([]);
    expect(templateProblems({ url: 'http://lb.internal/{{ labels.instance }}/x?a={{ labels.b }}' })).toEqual([]);
  });

  it('never lets a template pick the scheme or the credentials, allowedHosts or not', () => {
    for (const t of ['{{ annotations.runbook_url }}', '{{ labels.scheme }}://lb/x', 'http://{{ labels.user }}@lb/x', 'http://a:{{ labels.pw }}@lb/x']) {
      expect(templateProblems({ url: t, allowedHosts: ['*.internal'] }), t).toHaveLength(1);
    }
  });
});
