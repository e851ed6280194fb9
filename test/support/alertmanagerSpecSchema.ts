import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under Node's ESM loader its function is the default export's `default`.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats = ((formatsModule as unknown as { default?: AddFormats }).default ?? formatsModule) as unknown as AddFormats;

/**
 * The reply bodies of Alertmanager's API v2 as JSON Schemas, written from
 * our reading of its api/v2/openapi.yaml (0.25 and current): the fields the
 * spec requires are required here, and nothing more is assumed. A real
 * Alertmanager's replies pass them in the same test, which is what shows
 * this reading is right.
 */
const labelSet = { type: 'object', additionalProperties: { type: 'string' } };
const time = { type: 'string', format: 'date-time' };
const receiver = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
const matcher = {
  type: 'object',
  required: ['name', 'value', 'isRegex'],
  properties: { name: { type: 'string' }, value: { type: 'string' }, isRegex: { type: 'boolean' }, isEqual: { type: 'boolean' } },
};
const gettableAlert = {
  type: 'object',
  required: ['labels', 'annotations', 'receivers', 'fingerprint', 'startsAt', 'updatedAt', 'endsAt', 'status'],
  properties: {
    labels: labelSet,
    annotations: labelSet,
    receivers: { type: 'array', items: receiver },
    fingerprint: { type: 'string' },
    startsAt: time,
    updatedAt: time,
    endsAt: time,
    generatorURL: { type: 'string', format: 'uri' },
    status: {
      type: 'object',
      required: ['state', 'silencedBy', 'inhibitedBy'],
      properties: {
        state: { enum: ['unprocessed', 'active', 'suppressed'] },
        silencedBy: { type: 'array', items: { type: 'string' } },
        inhibitedBy: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};
const gettableSilence = {
  type: 'object',
  required: ['id', 'status', 'updatedAt', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'comment'],
  properties: {
    id: { type: 'string' },
    status: { type: 'object', required: ['state'], properties: { state: { enum: ['expired', 'active', 'pending'] } } },
    updatedAt: time,
    matchers: { type: 'array', minItems: 1, items: matcher },
    startsAt: time,
    endsAt: time,
    createdBy: { type: 'string' },
    comment: { type: 'string' },
  },
};

export const alertmanagerReplySchemas = {
  status: {
    type: 'object',
    required: ['cluster', 'versionInfo', 'config', 'uptime'],
    properties: {
      cluster: {
        type: 'object',
        required: ['status'],
        properties: {
          name: { type: 'string' },
          status: { enum: ['ready', 'settling', 'disabled'] },
          peers: { type: 'array', items: { type: 'object', required: ['name', 'address'], properties: { name: { type: 'string' }, address: { type: 'string' } } } },
        },
      },
      versionInfo: {
        type: 'object',
        required: ['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion'],
        properties: Object.fromEntries(['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion'].map((k) => [k, { type: 'string' }])),
      },
      config: { type: 'object', required: ['original'], properties: { original: { type: 'string' } } },
      uptime: time,
    },
  },
  receivers: { type: 'array', items: receiver },
  alerts: { type: 'array', items: gettableAlert },
  alertGroups: {
    type: 'array',
    items: { type: 'object', required: ['labels', 'receiver', 'alerts'], properties: { labels: labelSet, receiver, alerts: { type: 'array', items: gettableAlert } } },
  },
  silences: { type: 'array', items: gettableSilence },
  silence: gettableSilence,
  postSilence: { type: 'object', required: ['silenceID'], properties: { silenceID: { type: 'string' } } },
  /** POST /api/v2/alerts answers 200 with no body */
  empty: { type: 'null' },
  /** a 400's body: the spec gives errors as a bare string */
  error: { type: 'string' },
} as const;

export type AlertmanagerReply = keyof typeof alertmanagerReplySchemas;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new Map<AlertmanagerReply, ValidateFunction>();

/** What is wrong with a reply body, by the spec; empty when nothing is. */
export function validateAlertmanagerReply(reply: AlertmanagerReply, body: unknown): string[] {
  let validate = compiled.get(reply);
  if (!validate) compiled.set(reply, (validate = ajv.compile(alertmanagerReplySchemas[reply])));
  if (validate!(body)) return [];
  return (validate.errors ?? []).map((e) => `${reply}${e.instancePath} ${e.message ?? ''}`);
}
