import { describe, expect, it } from 'vitest';
import { titleRules, titleTemplate } from './titleTemplate.js';

// One case list per rule: [title, template]. The last entries of a list are
// what the rule must leave alone.
const ruleCases: Record<string, Array<[string, string]>> = {
  quoted: [
    ['Queue "invoices" depth high', 'Queue <quoted> depth high'],
    ["Job 'nightly' stuck", 'Job <quoted> stuck'],
    ['{job="node", env=`prod`} down', '{job=<quoted>, env=<quoted>} down'],
    ["Can't reach the host's agent", "Can't reach the host's agent"],
  ],
  url: [
    ['GET http://127.0.0.1:40123/healthz: no answer', 'GET <url>: no answer'],
    ['Endpoint https://api.example.com/v1/orders/42?x=1. failed', 'Endpoint <url>. failed'],
  ],
  email: [['Mailbox alice.smith+ops@example.com full', 'Mailbox <email> full']],
  uuid: [
    ['Request 5f1c2e0a-8d3b-4c1e-9a7f-2b6d8e0c4a13 failed', 'Request <uuid> failed'],
    ['Tenant 5F1C2E0A-8D3B-4C1E-9A7F-2B6D8E0C4A13 over quota', 'Tenant <uuid> over quota'],
  ],
  timestamp: [
    ['Backup at 2026-11-21T03:00:00Z late', 'Backup at <time> late'],
    ['Backup at 2026-11-21 03:00:00.123+01:00 late', 'Backup at <time> late'],
  ],
  date: [['Job backup-2026-11-21 failed', 'Job backup-<date> failed']],
  ipv4: [
    ['Instance 10.0.3.7:9100 down', 'Instance <ip> down'],
    ['Route to 10.1.0.0/16 lost', 'Route to <ip> lost'],
    ['Peer 192.168.1.20 unreachable.', 'Peer <ip> unreachable.'],
  ],
  ipv6: [
    ['Instance [2001:db8::7]:9100 down', 'Instance <ip> down'],
    ['Peer fe80::1ff:fe23:4567:890a unreachable', 'Peer <ip> unreachable'],
    ['Peer 2001:0db8:0000:0000:0000:ff00:0042:8329 unreachable', 'Peer <ip> unreachable'],
    ['Cron ran at 10:00:00', 'Cron ran at <time>'],
  ],
  hostname: [
    ['High CPU on web-12.prod.example.com: 97.3%', 'High CPU on <host>: <pct>'],
    ["Can't reach db-3.internal:5432", "Can't reach <host>"],
    ['Reading config.yaml failed', 'Reading config.yaml failed'],
    ['Archive backup.tar.gz corrupt', 'Archive backup.tar.gz corrupt'],
    ['nginx.service failed', 'nginx.service failed'],
  ],
  pod: [
    ['Pod checkout-7d9f8b6c4-x2kqp restarting', 'Pod <pod> restarting'],
    ['Pod node-exporter-x2kqp restarting', 'Pod <pod> restarting'],
    ['Deployment node-exporter restarting', 'Deployment node-exporter restarting'],
  ],
  hex: [
    ['Commit 3f2a9c1 deploy failed', 'Commit <hex> deploy failed'],
    ['Trace 4bf92f3577b34da6a3ce929d0e0e4736 slow', 'Trace <hex> slow'],
    ['Fault at 0x7ffd5a2b', 'Fault at <hex>'],
    ['Instance i-0abc123def4567890 unhealthy', 'Instance i-<hex> unhealthy'],
    ['deadbeef and defaced are words', 'deadbeef and defaced are words'],
  ],
  id: [
    ['Order 01ARZ3NDEKTSV4RRFFQ69G5FAV stuck', 'Order <id> stuck'],
    ['Key req_8f2Kq91LmN04xZ expired', 'Key req_<id> expired'],
    ['KubePodCrashLooping firing', 'KubePodCrashLooping firing'],
  ],
  'numbered name': [
    ['disk 91% on host-7', 'disk <pct> on <host>'],
    ['Lag on pg-replica-2 high', 'Lag on <host> high'],
    ['Node ip-10-0-3-7 NotReady', 'Node <host> NotReady'],
    ['web-1:9100 down', '<host> down'],
    ['kafka-2-east under-replicated', '<host> under-replicated'],
    ['worker_42 stuck', '<host> stuck'],
    ['UTF-8 decode errors, sha-256 mismatch, SEV-1', 'UTF-8 decode errors, sha-256 mismatch, SEV-1'],
  ],
  version: [
    ['Deploy v1.2.3 of checkout failed', 'Deploy <version> of checkout failed'],
    ['Deploy 2.10.0-rc.1 failed', 'Deploy <version> failed'],
    ['Checkout API v2 errors', 'Checkout API v2 errors'],
  ],
  'clock time': [['Cron ran at 03:15 instead of 03:00', 'Cron ran at <time> instead of <time>']],
  percentage: [
    ['Disk 91% full', 'Disk <pct> full'],
    ['Error rate 12.5 % (+3%)', 'Error rate <pct> (<pct>)'],
  ],
  duration: [
    ['Latency p99 1.2s > 500ms on api', 'Latency p99 <duration> > <duration> on api'],
    ['Heartbeat nightly-backup missed its 86400s interval', 'Heartbeat nightly-backup missed its <duration> interval'],
    ['Replication lag 2m30s', 'Replication lag <duration>'],
  ],
  'spelled duration': [
    ['no answer within 2000 ms', 'no answer within <duration>'],
    ['Certificate expires in 6 days', 'Certificate expires in <duration>'],
    ['Moved 5 m to the left', 'Moved <num> m to the left'],
  ],
  size: [
    ['Memory at 7.5GiB of 8 GiB', 'Memory at <size> of <size>'],
    ['Payload 512 bytes over the limit', 'Payload <size> over the limit'],
  ],
  number: [
    ['Job failed after 3 attempts', 'Job failed after <num> attempts'],
    ['Queue depth 10,000 over 10k', 'Queue depth <num> over <num>'],
    ['[FIRING:3] Load -1.5, burn rate 14.4x', '[FIRING:<num>] Load <num>, burn rate <num>'],
    ['HTTP 500 on /checkout, status=502, got 404', 'HTTP 500 on /checkout, status=502, got 404'],
    ['GET <url>: 503, expected 200', 'GET <url>: 503, expected 200'],
    ['HTTP/1.1 503 from lb', 'HTTP/1.1 503 from lb'],
    ['p99, x86, 5xx, 99th, k8s', 'p99, x86, 5xx, 99th, k8s'],
  ],
};

describe('title templates: one rule at a time', () => {
  it('has cases for every rule', () => {
    expect(Object.keys(ruleCases).sort()).toEqual(titleRules.map((r) => r.name).sort());
  });

  for (const rule of titleRules) {
    it(`${rule.name} → ${rule.placeholder}`, () => {
      for (const [title, template] of ruleCases[rule.name] ?? []) expect(titleTemplate(title), title).toBe(template);
    });
  }

  it('collapses whitespace and trims', () => {
    expect(titleTemplate('  disk\tfull \n on   host-7 ')).toBe('disk full on <host>');
  });
});

// Titles of one alert rule firing on different things: one template each group.
const together: string[][] = [
  ['disk 91% on host-7', 'disk 93% on host-2'],
  ['Instance 10.0.3.7:9100 down', 'Instance 10.0.4.12:9100 down', 'Instance [2001:db8::7]:9100 down'],
  ['High CPU on web-12.prod.example.com: 97.3%', 'High CPU on web-3.prod.example.com: 91%'],
  ['Disk /var on db-3 is 91% full', 'Disk /var on db-11 is 98.5% full'],
  ['Job backup-2026-11-21 failed after 3 attempts', 'Job backup-2026-11-22 failed after 5 attempts'],
  ['Pod checkout-7d9f8b6c4-x2kqp restarting', 'Pod checkout-7d9f8b6c4-q9zwt restarting', 'Pod cart-5c6b9d7f48-mn4pz restarting'],
  ['Request 5f1c2e0a-8d3b-4c1e-9a7f-2b6d8e0c4a13 failed', 'Request 0e4b1c9d-2a3f-4b5c-8d7e-6f5a4b3c2d1e failed'],
  ['Latency p99 1.2s > 500ms on api', 'Latency p99 850ms > 500ms on api'],
  // this repo's probes (src/probes/probeScheduler.ts, probeCheck.ts, healthCheck.ts)
  [
    'cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: no answer within 2000 ms',
    'cart-2 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40777/healthz: no answer within 2000 ms',
  ],
  [
    'cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: 1834 ms, slower than 1000 ms',
    'frontend-2 fails probe shop-health 5 time(s) in a row: GET http://127.0.0.1:41000/healthz: 2210 ms, slower than 1500 ms',
  ],
  ['db-1 fails probe pg-port 3 time(s) in a row: TCP 10.0.0.5:5432: ECONNREFUSED', 'db-2 fails probe pg-port 3 time(s) in a row: TCP 10.0.0.6:5432: ECONNREFUSED'],
  ['web-1 fails probe disk 2 time(s) in a row: exec /usr/lib/nagios/check_disk: exit 2', 'web-4 fails probe disk 2 time(s) in a row: exec /usr/lib/nagios/check_disk: exit 1'],
  // this repo's heartbeats (src/probes/heartbeats.ts): the same heartbeat with another interval
  ['Heartbeat nightly-backup missed its 86400s interval', 'Heartbeat nightly-backup missed its 90000s interval'],
  // PagerDuty and Alertmanager styles
  ['CRITICAL: Load average on srv-42 is 12.5', 'CRITICAL: Load average on srv-7 is 9.75'],
  ['[FIRING:3] KubePodCrashLooping (checkout critical)', '[FIRING:1] KubePodCrashLooping (checkout critical)'],
  ['Replication lag on pg-replica-2 is 45s', 'Replication lag on pg-replica-1 is 2m30s'],
  ['Certificate for api.example.com expires in 6 days', 'Certificate for shop.example.com expires in 13 days'],
  ['Memory on cache-3 at 7.5GiB of 8GiB', 'Memory on cache-1 at 6GiB of 8GiB'],
  ['Container 3b1f9a2c7d4e restarted 5 times', 'Container 9a8b7c6d5e4f restarted 12 times'],
  ['User alice@example.com locked out', 'User bob@example.org locked out'],
  ['Queue "invoices" depth 12000', 'Queue "emails" depth 80'],
  ['Node ip-10-0-3-7.ec2.internal NotReady', 'Node ip-10-0-9-21.ec2.internal NotReady'],
  ['Error budget burn rate 14.4x over 1h', 'Error budget burn rate 6x over 6h'],
];

// Different alert rules (or different problems) that look alike: they must not merge.
const apart: Array<[string, string]> = [
  ['Disk /var on db-3 is 91% full', 'Disk /data on db-3 is 91% full'],
  ['High CPU on web-1', 'High memory on web-1'],
  ['Latency p99 1.2s > 500ms on api', 'Latency p50 1.2s > 500ms on api'],
  ['Instance 10.0.3.7:9100 down', 'Instance 10.0.3.7:9100 unreachable'],
  ['HTTP 500 on /checkout', 'HTTP 404 on /checkout'],
  ['5xx rate high on checkout', '4xx rate high on checkout'],
  ['HighErrorRate checkout', 'HighErrorRate cart'],
  ['cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: 503, expected 200', 'cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: 404, expected 200'],
  ['cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: no answer within 2000 ms', 'cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: ECONNREFUSED'],
  ['cart-1 fails probe shop-health 3 time(s) in a row: TCP 10.0.0.5:80: ECONNREFUSED', 'cart-1 fails probe cart-tcp 3 time(s) in a row: TCP 10.0.0.5:80: ECONNREFUSED'],
  ['Heartbeat nightly-backup missed its 86400s interval', 'Heartbeat hourly-sync missed its 3600s interval'],
  ['The nightly database backup has not reported', 'Demo: the demo-cron job has not pinged in a minute (POST /api/v1/heartbeats/demo-cron/ping)'],
  ['Reading config.yaml failed', 'Reading secrets.yaml failed'],
  ['UTF-8 decode errors on ingest', 'UTF-16 decode errors on ingest'],
];

describe('title templates: realistic titles', () => {
  it.each(together.map((group) => [group[0]!, group]))('one template for: %s …', (_first, group) => {
    const templates = new Set(group.map(titleTemplate));
    expect([...templates], group.join(' | ')).toHaveLength(1);
  });

  it.each(apart)('apart: %s / %s', (a, b) => {
    expect(titleTemplate(a)).not.toBe(titleTemplate(b));
  });

  it('reads the examples of the issue as expected', () => {
    expect(titleTemplate('disk 91% on host-7')).toBe('disk <pct> on <host>');
    expect(titleTemplate('Instance 10.0.3.7:9100 down')).toBe('Instance <ip> down');
    expect(titleTemplate('Job backup-2026-11-21 failed after 3 attempts')).toBe('Job backup-<date> failed after <num> attempts');
    expect(titleTemplate('Pod checkout-7d9f8b6c4-x2kqp restarting')).toBe('Pod <pod> restarting');
    expect(titleTemplate('cart-1 fails probe shop-health 3 time(s) in a row: GET http://127.0.0.1:40123/healthz: no answer within 2000 ms')).toBe(
      '<host> fails probe shop-health <num> time(s) in a row: GET <url>: no answer within <duration>',
    );
  });
});
