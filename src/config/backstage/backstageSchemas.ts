import { z } from 'zod';
import type { BackstageKind } from './relationFields.js';

// Backstage catalog entities, checked by the rules of @backstage/catalog-model's
// JSON schemas for its built-in kinds: the fields each kind requires, refs as
// non-empty strings, names by its object-name rule. Backstage allows fields it
// does not know (plugins add their own), so the objects are loose here too:
// an unknown field is kept, not reported.

/** The apiVersions Backstage's built-in kinds come in. */
export const BACKSTAGE_API_VERSIONS = ['backstage.io/v1alpha1', 'backstage.io/v1beta1'] as const;

/** Any document whose apiVersion is Backstage's, e.g. backstage.io/v1alpha1 (or a plugin's, scaffolder.backstage.io/v1beta3). */
export function isBackstageApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && /(^|\.)backstage\.io\//.test(apiVersion);
}

/** Backstage's object-name rule (KubernetesValidatorFunctions.isValidObjectName): letters of either case, digits, -_. inside. */
const OBJECT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : undefined) }).min(1, `must not be empty: ${what}`);
const ref = (what: string) => text(what);
const refs = (what: string) => z.array(ref(what), { error: (issue) => (issue.input === undefined ? undefined : `must be a list of entity references (${what})`) });

export const backstageMetadataSchema = z.looseObject({
  name: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required: the entity name' : undefined) })
    .max(63, 'must be at most 63 characters')
    .regex(OBJECT_NAME, 'must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit (Backstage object name)'),
  namespace: z.string().max(63).regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-"').optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string({ error: 'an annotation value must be a string (quote numbers and booleans)' })).optional(),
  tags: z.array(z.string()).optional(),
  links: z.array(z.looseObject({ url: text('the link URL'), title: z.string().min(1).optional(), icon: z.string().optional(), type: z.string().min(1).optional() })).optional(),
});
export type BackstageMetadata = z.output<typeof backstageMetadataSchema>;

export const backstageEnvelopeSchema = z.looseObject({
  apiVersion: z.enum(BACKSTAGE_API_VERSIONS, { error: (issue) => `must be ${BACKSTAGE_API_VERSIONS.join(' or ')} for a built-in Backstage kind, not ${JSON.stringify(issue.input)}` }),
  kind: z.string(),
  metadata: backstageMetadataSchema,
  spec: z.unknown().optional(),
});

const componentSpec = z.looseObject({
  type: text('the component type, e.g. service, website or library'),
  lifecycle: text('the lifecycle, e.g. experimental, production or deprecated'),
  owner: ref('the owning Group (or User)'),
  system: ref('a System').optional(),
  subcomponentOf: ref('a Component').optional(),
  providesApis: refs('APIs').optional(),
  consumesApis: refs('APIs').optional(),
  dependsOn: refs('typed refs such as component:cart or resource:orders-db').optional(),
  dependencyOf: refs('typed refs such as component:frontend').optional(),
});

const apiSpec = z.looseObject({
  type: text('the API type, e.g. openapi, grpc or asyncapi'),
  lifecycle: text('the lifecycle, e.g. production'),
  owner: ref('the owning Group (or User)'),
  definition: text('the API definition (or a $text reference to it)'),
  system: ref('a System').optional(),
});

const resourceSpec = z.looseObject({
  type: text('the resource type, e.g. database or s3-bucket'),
  owner: ref('the owning Group (or User)'),
  system: ref('a System').optional(),
  dependsOn: refs('typed refs').optional(),
  dependencyOf: refs('typed refs').optional(),
});

const systemSpec = z.looseObject({ owner: ref('the owning Group (or User)'), domain: ref('a Domain').optional(), type: z.string().optional() });
const domainSpec = z.looseObject({ owner: ref('the owning Group (or User)'), subdomainOf: ref('a Domain').optional(), type: z.string().optional() });

const profile = z.looseObject({ displayName: z.string().optional(), email: z.string().optional(), picture: z.string().optional() });

const groupSpec = z.looseObject({
  type: text('the group type, e.g. team or business-unit'),
  profile: profile.optional(),
  parent: ref('a Group').optional(),
  children: refs('Groups'),
  members: refs('Users').optional(),
});

const userSpec = z.looseObject({ profile: profile.optional(), memberOf: refs('Groups') });

const locationSpec = z.looseObject({
  type: z.string().optional(),
  target: z.string().min(1).optional(),
  targets: z.array(z.string().min(1)).optional(),
  presence: z.enum(['required', 'optional']).optional(),
});

export const backstageSpecSchemas: Record<BackstageKind, z.ZodType<Record<string, unknown>>> = {
  Component: componentSpec,
  API: apiSpec,
  Resource: resourceSpec,
  System: systemSpec,
  Domain: domainSpec,
  Group: groupSpec,
  User: userSpec,
  Location: locationSpec,
};

export type ComponentSpec = z.output<typeof componentSpec>;
export type ResourceSpec = z.output<typeof resourceSpec>;
export type GroupSpec = z.output<typeof groupSpec>;
export type UserSpec = z.output<typeof userSpec>;
export type LocationSpec = z.output<typeof locationSpec>;
