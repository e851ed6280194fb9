// Every config kind a stage defines, so the loader knows them all wherever
// config is read (server, check-config). The config folder's own kinds load
// with it; stages register theirs on import.
import './config/index.js';
import './remediation/runbookKind.js';
import './fleet/hostPoolKind.js';
import './fleet/cluster/clusterKind.js';
import './fleet/fleetActions.js';
import './probes/probeKind.js';
import './oncall/scheduleKind.js';
import './oncall/escalationPolicyKind.js';
import './slo/sloKind.js';
import './chaos/experiment/experimentKind.js';
import './chaos/gameDay/gameDayKind.js';
import './catalog/scorecard/scorecardKinds.js';
