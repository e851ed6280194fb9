import { defineKind, type ConfigDoc } from '../../config/index.js';
import { experimentSchema, type Experiment } from './schema.js';

/**
 * A Chaos Toolkit experiment kept in the config directory:
 *
 *   apiVersion: prodeng/v1
 *   kind: Experiment
 *   metadata: { name: checkout-survives-a-slow-db }
 *   spec: <the experiment document, exactly as `chaos run` reads it>
 *
 * The spec is checked as loadExperiment checks a file (python providers and
 * secrets written in the file are refused), each problem at spec.<path>.
 */
export const experimentKind = defineKind<Experiment>({
  kind: 'Experiment',
  spec: experimentSchema,
});

export type ExperimentDoc = ConfigDoc<Experiment>;
