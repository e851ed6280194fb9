import { beforeEach, expect, it } from 'vitest';
import { freshStorePerTest } from '../../test/support/freshStore.js';
import { describeEachStore } from '../../test/support/testDatabases.js';
import { ManualClock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import type { AlertEvent } from './alertEvent.js';
import { labelSetFingerprint } from './fingerprint.js';
import { GroupCommitter } from './groupCommit.js';

function event(n: number, action: 'firing' | 'resolved'): AlertEvent {
  const labels = { alertname: 'Ordered', n: String(n) };
  return {
    source: 'prometheus', action, fingerprint: labelSetFingerprint(labels), labels, annotations: {}, summary: 'x', severity: 'warning',
    service: null, host: null, dedupKey: null, generatorUrl: null, startsAt: null, endsAt: action === 'resolved' ? 500 : null, endsAtFromTimeout: false, payload: {},
  };
}

describeEachStore('group commit with several commits in flight', (kind) => {
  const fresh = freshStorePerTest(kind);
  let store: Store;
  beforeEach(() => {
    store = fresh();
  });

  it("applies one sender's firing and then resolve of an alert in that order, however the commits interleave", async () => {
    const committer = new GroupCommitter(store, new ManualClock(1_000), undefined, { parallelCommits: 4, maxEventsPerCommit: 1 });
    // Each alert fired, then resolved, each request sent before the last is answered.
    const replies: Array<Promise<unknown>> = [];
    for (let n = 0; n < 60; n++) {
      replies.push(committer.commit([event(n, 'firing')]));
      replies.push(committer.commit([event(n, 'resolved'), event(1000 + n, 'firing')]));
    }
    await Promise.all(replies);
    const rows = await store.db.selectFrom('alerts').select(['fingerprint', 'status']).execute();
    const status = new Map(rows.map((r) => [r.fingerprint, r.status]));
    const wrong = Array.from({ length: 60 }, (_, n) => n).filter((n) => status.get(event(n, 'firing').fingerprint) !== 'resolved');
    expect(wrong).toEqual([]);
    expect(rows.filter((r) => r.status === 'firing')).toHaveLength(60);
    expect(rows).toHaveLength(120);
  });
});
