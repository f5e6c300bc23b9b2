import { EmptyUrnSegmentError, InvalidUrnError } from './errors.js';

/** Matches one whole segment. Partial wildcards (`wal*`) are rejected, not silently literal. */
export const WILDCARD = '*';
export const OWN_TARGET = 'own';
export const TENANT_TARGET = 'tenant';

/**
 * What a target segment means:
 * - `any`: `*`, every instance;
 * - `own`: instances whose `ownerId` is the subject;
 * - `tenant`: instances whose `tenantId` is the subject's tenant;
 * - `id`: the one instance with that id.
 */
export type TargetKind = 'any' | 'own' | 'tenant' | 'id';

export interface Urn {
  /** The URN exactly as written, used as the rule's name in explanations and in `toJSON()`. */
  readonly text: string;
  readonly resource: string;
  readonly action: string;
  readonly target: string;
  readonly targetKind: TargetKind;
}

const SEGMENT_NAMES = ['resource', 'action', 'target'] as const;

/**
 * Letters, digits and `_ - . @`. Kept narrow on purpose: `:` separates segments, `/` separates
 * scope levels, and whitespace or quotes in a rule are almost always a typo that would
 * otherwise become a rule that never matches.
 */
function isSegmentChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 95 || // _
    code === 45 || // -
    code === 46 || // .
    code === 64 // @
  );
}

/** Why `segment` is not a valid segment, or undefined when it is. */
export function segmentProblem(segment: string): string | undefined {
  if (segment === WILDCARD) return undefined;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code === 42) return `"*" must be a whole segment, found in ${JSON.stringify(segment)}`;
    if (!isSegmentChar(code)) {
      return `character ${JSON.stringify(segment[i])} is not allowed in ${JSON.stringify(segment)} (letters, digits, _ - . @)`;
    }
  }
  return undefined;
}

function targetKindOf(target: string): TargetKind {
  if (target === WILDCARD) return 'any';
  if (target === OWN_TARGET) return 'own';
  if (target === TENANT_TARGET) return 'tenant';
  return 'id';
}

/** Parses and validates `resource:action:target`; throws a typed error naming the problem. */
export function parseUrn(text: string): Urn {
  if (typeof text !== 'string') {
    throw new InvalidUrnError(String(text), `expected a string, got ${text === null ? 'null' : typeof text}`);
  }
  const segments = text.split(':');
  if (segments.length !== 3) {
    throw new InvalidUrnError(text, `expected 3 segments resource:action:target, got ${segments.length}`);
  }
  for (let i = 0; i < 3; i++) {
    const segment = segments[i] as string;
    const name = SEGMENT_NAMES[i] as (typeof SEGMENT_NAMES)[number];
    if (segment.length === 0) throw new EmptyUrnSegmentError(text, name);
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw new InvalidUrnError(text, `${name} segment: ${problem}`);
  }
  const [resource, action, target] = segments as [string, string, string];
  return { text, resource, action, target, targetKind: targetKindOf(target) };
}

/** True when `text` parses; for callers that validate input without try/catch. */
export function isValidUrn(text: string): boolean {
  try {
    parseUrn(text);
    return true;
  } catch {
    return false;
  }
}

export function formatUrn(resource: string, action: string, target: string): string {
  return `${resource}:${action}:${target}`;
}

/**
 * Resource and action segments: a rule's `*` covers every value; anything else covers only
 * itself. A request that asks about `*` ("every resource") is therefore only covered by a `*`
 * rule, which is what "may I do this to everything" should mean.
 */
export function segmentCovers(ruleSegment: string, requestSegment: string): boolean {
  return ruleSegment === WILDCARD || ruleSegment === requestSegment;
}
