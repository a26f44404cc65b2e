import { keyCovers } from './key-scope';
import { RuleError, type Actor, type CommandBase, type EventBase } from './messages';
import type { RegionRegistry } from './regions';

/**
 * The handling of an auditors' flag: 预警 raised → 处理 acknowledged → 反馈 responded → 归档 archived,
 * and back to raised by reopen. Each step is an event in the program-year's handling stream
 * (`flag-handling-<programCode>-<fiscalYear>`), with who took it and why; the stream moves no money.
 */
export type FlagState = 'raised' | 'acknowledged' | 'responded' | 'archived';
export type FlagAction = 'acknowledge' | 'respond' | 'archive' | 'reopen';

export const flagStates: readonly FlagState[] = ['raised', 'acknowledged', 'responded', 'archived'];
export const flagActions: readonly FlagAction[] = ['acknowledge', 'respond', 'archive', 'reopen'];

/** A flag nobody has handled yet is raised. */
export const initialFlagState: FlagState = 'raised';

export const flagHandlingStreamName = (programCode: string, fiscalYear: number): string =>
  `flag-handling-${programCode}-${fiscalYear}`;

/**
 * Which state each action leaves from and goes to, and who may take it: the handling steps by an
 * operator of the flag's region, the auditor's decisions (archive, or send it back) by an auditor.
 * An auditor reopens an archived flag, or a response that does not settle the finding.
 */
const transitions: Record<FlagAction, { readonly from: readonly FlagState[]; readonly to: FlagState; readonly role: Actor['role'] }> = {
  acknowledge: { from: ['raised'], to: 'acknowledged', role: 'operator' },
  respond: { from: ['acknowledged'], to: 'responded', role: 'operator' },
  archive: { from: ['responded'], to: 'archived', role: 'auditor' },
  reopen: { from: ['responded', 'archived'], to: 'raised', role: 'auditor' },
};

/** What the flag is, as the list showed it when the step was taken: kept with the step. */
export interface FlagSnapshot {
  readonly flagId: string;
  readonly rule: string;
  /** The region the flag is about; '' for a refused attempt that named none. */
  readonly regionCode: string;
  readonly severity: string;
  readonly detail: string;
  readonly since: string;
  readonly threshold: string;
}

export type RecordFlagAction = CommandBase<
  'RecordFlagAction',
  FlagSnapshot & {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly action: FlagAction;
    readonly note: string;
    /** The regions the actor's key lists (or `*`). */
    readonly actorRegions: readonly string[];
  }
>;

export type FlagActionRecorded = EventBase<
  'FlagActionRecorded',
  FlagSnapshot & {
    readonly programCode: string;
    readonly fiscalYear: number;
    readonly action: FlagAction;
    readonly note: string;
    readonly fromState: FlagState;
    readonly toState: FlagState;
    readonly actor: string;
    readonly actedAt: string;
  }
>;

/** The state after a flag's handling steps so far. */
export function evolveFlagState(state: FlagState, event: FlagActionRecorded): FlagState {
  return event.data.toState;
}

/**
 * Whether a key may take `action` on a flag about `regionCode` (403 `forbidden` if not): the role
 * the action needs, and a key covering the region; a flag about no region ('') takes a key that
 * covers every funding root, as reading it does. It needs only the key and the region, so it can
 * run before the flag is looked up: a region of the registry's form names a flag's region exactly,
 * and a flag about no region or about a code outside the registry (a refusal's) is covered only
 * by a key that covers every root, so asking with '' there refuses no key the full check allows.
 */
export function requireFlagActor(
  action: FlagAction,
  actor: Pick<Actor, 'name' | 'role'>,
  actorRegions: readonly string[],
  regionCode: string,
  registry: RegionRegistry,
): void {
  const rule = transitions[action];
  if (actor.role !== rule.role) {
    throw new RuleError('forbidden', `${action} needs an ${rule.role} key, not one of role ${actor.role}`, regionCode || null);
  }
  const covered =
    regionCode === ''
      ? registry.roots().every((root) => keyCovers(registry, actorRegions, root))
      : keyCovers(registry, actorRegions, regionCode);
  if (!covered) {
    throw new RuleError('forbidden', `key ${actor.name} does not cover region ${regionCode || 'of the funding root'}`, regionCode || null);
  }
}

/**
 * Decides one handling step on the flag's current state: the actor's role and regions first
 * (403), then the order of the steps (422 invalid-transition). Covering a flag about no region
 * ('') takes a key that covers every funding root, as reading it does.
 */
export function decideFlagAction(command: RecordFlagAction, state: FlagState, registry: RegionRegistry): FlagActionRecorded {
  const { data, metadata } = command;
  const rule = transitions[data.action];
  requireFlagActor(data.action, metadata.actor, data.actorRegions, data.regionCode, registry);
  if (!rule.from.includes(state)) {
    throw new RuleError(
      'invalid-transition',
      `flag ${data.flagId} is ${state}: ${data.action} applies to a flag that is ${rule.from.join(' or ')}`,
      data.regionCode || null,
    );
  }
  return {
    type: 'FlagActionRecorded',
    data: {
      flagId: data.flagId,
      rule: data.rule,
      regionCode: data.regionCode,
      severity: data.severity,
      detail: data.detail,
      since: data.since,
      threshold: data.threshold,
      programCode: data.programCode,
      fiscalYear: data.fiscalYear,
      action: data.action,
      note: data.note,
      fromState: state,
      toState: rule.to,
      actor: metadata.actor.name,
      actedAt: metadata.now,
    },
  };
}

/** Reads a stored FlagActionRecorded back; null for anything else. */
export function decodeFlagActionRecorded(type: string, data: Record<string, unknown>): FlagActionRecorded | null {
  if (type !== 'FlagActionRecorded') return null;
  const toState = data['toState'];
  const action = data['action'];
  if (typeof data['flagId'] !== 'string' || !isFlagState(toState) || !isFlagAction(action)) {
    throw new Error(`malformed FlagActionRecorded: ${JSON.stringify(data)}`);
  }
  return { type, data: data as unknown as FlagActionRecorded['data'] };
}

function isFlagState(value: unknown): value is FlagState {
  return flagStates.some((state) => state === value);
}

function isFlagAction(value: unknown): value is FlagAction {
  return flagActions.some((action) => action === value);
}
