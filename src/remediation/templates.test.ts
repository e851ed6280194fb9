import { describe, expect, it } from 'vitest';
import { parseTemplate, renderParams, renderTemplate, templateErrors } from './templates.js';

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
