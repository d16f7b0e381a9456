import { decodeGlobalID, encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import type { AuditEventEntity, AuditTarget } from '../../db/entities/audit-event.entity.ts';
import { isUuid } from '../../services/ids.ts';
import type { PageRequest } from '../../services/keyset.ts';
import { builder } from '../builder.ts';
import { edgeObject } from '../connection.ts';

const AuditOutcomeEnum = builder.enumType('AuditOutcome', {
  description: 'How an audited action ended.',
  values: {
    SUCCEEDED: { value: 'SUCCEEDED', description: 'It was done.' },
    FAILED: {
      value: 'FAILED',
      description: 'It was allowed but did not happen (e.g. NotFoundError, ValidationError).',
    },
    REFUSED: {
      value: 'REFUSED',
      description: 'The caller may not do it (FORBIDDEN for a viewer, ReadOnlyMirrorError on a mirror).',
    },
  } as const,
});

const AuditActorKindEnum = builder.enumType('AuditActorKind', {
  description: 'Who acted.',
  values: {
    TOKEN: { value: 'TOKEN', description: 'A bearer token, through the API (the web app included).' },
    CLI: { value: 'CLI', description: 'A person at the server, with `pnpm cli`.' },
  } as const,
});

const AuditActor = builder.objectRef<AuditEventEntity>('AuditActor').implement({
  description: 'Who acted.',
  fields: (t) => ({
    kind: t.field({ type: AuditActorKindEnum, description: 'Token or CLI.', resolve: (e) => e.actorKind }),
    tokenId: t.id({
      nullable: true,
      description:
        'Id of the token (as `pnpm cli tokens list` prints it; pass it to `auditEvents(actorTokenId:)`); null for the CLI.',
      resolve: (e) => e.actorTokenId,
    }),
    name: t.exposeString('actorName', {
      description: "The token's name when it acted, or `cli:<OS user>` for the CLI.",
    }),
  }),
});

const AuditTargetRef = builder.objectRef<AuditTarget>('AuditTarget').implement({
  description: 'An object an action concerned. It may no longer exist (e.g. a deleted store).',
  fields: (t) => ({
    type: t.exposeString('type', {
      description: 'Its type: VectorStore, FileObject, SyncRun, Account or ApiToken.',
    }),
    id: t.id({
      description: 'Its global id (as `node` and the web app use it); pass it to `auditEvents(targetId:)`.',
      resolve: (target) => encodeGlobalID(target.type, target.id),
    }),
    localId: t.id({
      description: 'Its database id (the id the CLI prints for accounts and tokens).',
      resolve: (target) => target.id,
    }),
  }),
});

const AuditEvent = builder.objectRef<AuditEventEntity>('AuditEvent').implement({
  description:
    'One admin action (a mutation or a CLI command) and how it ended. Holds no secret and no file content.',
  fields: (t) => ({
    id: t.id({ description: 'Global id of the event.', resolve: (e) => encodeGlobalID('AuditEvent', e.id) }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the action ended.' }),
    actor: t.field({ type: AuditActor, description: 'Who acted.', resolve: (e) => e }),
    kind: t.exposeString('kind', {
      description:
        'What was done: CREATE_VECTOR_STORE, UPDATE_VECTOR_STORE, DELETE_VECTOR_STORE, UPLOAD_FILE, REMOVE_FILE, ' +
        'DELETE_ORPHAN_FILES, START_SYNC (API or CLI), CREATE_ACCOUNT, ISSUE_TOKEN, REVOKE_TOKEN (CLI); ' +
        '`MUTATION:<field>` for a mutation without its own mapping.',
    }),
    targets: t.field({
      type: [AuditTargetRef],
      description: 'The objects it concerned, as far as they are known (a refused create has none).',
      resolve: (e) => e.targets,
    }),
    summary: t.string({
      description:
        'The input, as a JSON object of allowlisted fields (names, sizes, counts); never a secret or file content.',
      resolve: (e) => JSON.stringify(e.summary),
    }),
    outcome: t.field({ type: AuditOutcomeEnum, description: 'How it ended.', resolve: (e) => e.outcome }),
    errorType: t.exposeString('errorType', {
      nullable: true,
      description:
        'Why it did not succeed, e.g. FORBIDDEN, ReadOnlyMirrorError, NotFoundError; null on success.',
    }),
  }),
});

/** An id that cannot match (not a uuid) matches nothing rather than failing the query. */
const NO_MATCH = '00000000-0000-0000-0000-000000000000';

function localTargetId(globalOrLocal: string): string {
  if (isUuid(globalOrLocal)) return globalOrLocal;
  try {
    const { id } = decodeGlobalID(globalOrLocal);
    return isUuid(id) ? id : NO_MATCH;
  } catch {
    return NO_MATCH;
  }
}

builder.queryFields((t) => ({
  auditEvents: t.connection(
    {
      type: AuditEvent,
      description:
        "The account's audit log, newest first. ADMIN only. Pages hold at most 100. Events older than " +
        '`AUDIT_RETENTION_DAYS` (default 180) are pruned.',
      authScopes: { admin: true },
      args: {
        actorTokenId: t.arg.id({ required: false, description: 'Only actions of this token.' }),
        kind: t.arg.string({ required: false, description: 'Only this kind, e.g. DELETE_VECTOR_STORE.' }),
        targetId: t.arg.id({
          required: false,
          description: 'Only actions that concerned this object (its global id, or its database id).',
        }),
        since: t.arg({ type: 'DateTime', required: false, description: 'Only actions at or after this.' }),
        until: t.arg({ type: 'DateTime', required: false, description: 'Only actions before this.' }),
      },
      resolve: async (_root, args, context) => {
        const accountId = context.principal.accountId;
        const actor = args.actorTokenId ? String(args.actorTokenId) : null;
        const filter = {
          actorTokenId: actor === null ? null : isUuid(actor) ? actor : NO_MATCH,
          kind: args.kind ?? null,
          targetId: args.targetId ? localTargetId(String(args.targetId)) : null,
          since: args.since ?? null,
          until: args.until ?? null,
        };
        return resolveCursorConnection(
          {
            args,
            defaultSize: 20,
            maxSize: 100,
            toCursor: (event: AuditEventEntity) => context.services.audit.cursor(event),
          },
          (page: PageRequest) => context.services.audit.list(accountId, filter, page),
        );
      },
    },
    { name: 'AuditEventConnection', description: 'A page of audit events.' },
    edgeObject('AuditEventEdge', 'An audit event and its cursor.', AuditEvent),
  ),
}));
