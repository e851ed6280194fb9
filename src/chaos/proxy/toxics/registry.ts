import type { ToxicDefinition } from './definition.js';
import { latencyToxic } from './latency.js';
import { bandwidthToxic } from './bandwidth.js';
import { slowCloseToxic } from './slowClose.js';
import { timeoutToxic } from './timeout.js';
import { resetPeerToxic } from './resetPeer.js';
import { slicerToxic } from './slicer.js';
import { limitDataToxic } from './limitData.js';
import { blackholeToxic } from './blackhole.js';
import { httpErrorToxic } from './httpError.js';

/** Every toxic type by its Toxiproxy name. */
export const toxicTypes: ReadonlyMap<string, ToxicDefinition> = new Map(
  ([latencyToxic, bandwidthToxic, slowCloseToxic, timeoutToxic, resetPeerToxic, slicerToxic, limitDataToxic, blackholeToxic, httpErrorToxic] as unknown as ToxicDefinition[]).map((d) => [d.type, d]),
);
