import type { Document } from 'bson';

/** MongoDB server error codes the engine replies with (names as in the server's error_codes.yml). */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  Unauthorized: 13,
  NoSuchKey: 4,
  FailedToParse: 9,
  InvalidLength: 16,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  MaxTimeMSExpired: 50,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  CannotCreateIndex: 67,
  InvalidIndexSpecificationOption: 197,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  ConflictingOperationInProgress: 117,
  DocumentValidationFailure: 121,
  CommandNotSupported: 115,
  ProtocolError: 17,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  OperationNotSupportedInTransaction: 263,
  InvalidPipelineOperator: 168,
  Location16020: 16020,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  UnrecognizedPipelineStage: 40324,
  /** An unknown field in a command's IDL (MongoDB's codeName for it is Location40415). */
  Location40415: 40415,
  /** A required field missing from a command (MongoDB's codeName for it is Location40414). */
  Location40414: 40414,
  /** A real MongoDB operator or stage this engine does not implement (never silently ignored). */
  NotImplemented: 238,
  CannotIndexParallelArrays: 171,
  ConversionFailure: 241,
  /** Atlas Search (search indexes, $search) without a search process: what a community mongod answers. */
  SearchNotEnabled: 31082,
  CannotConvertIndexToUnique: 359,
} as const;

/** mongod 8.0's answer to the search index commands and $listSearchIndexes when no mongot is configured. */
export const SEARCH_INDEX_COMMANDS_NOT_ENABLED =
  'Using Atlas Search Database Commands and the $listSearchIndexes aggregation stage requires additional configuration. Please connect to Atlas or an AtlasCLI local deployment to enable. For more information on how to connect, see https://dochub.mongodb.org/core/atlas-cli-deploy-local-reqs';
/** mongod 8.0's answer to $search, $searchMeta and $vectorSearch when no mongot is configured. */
export const SEARCH_STAGES_NOT_ENABLED =
  'Using $search and $vectorSearch aggregation stages requires additional configuration. Please connect to Atlas or an AtlasCLI local deployment to enable. For more information on how to connect, see https://dochub.mongodb.org/core/atlas-cli-deploy-local-reqs';

const codeNames: Record<number, string> = Object.fromEntries(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/**
 * An error the engine sends back to the client as a command reply with `ok: 0`.
 * Anything thrown that is not a MongoCommandError becomes InternalError, so a bug never
 * masquerades as a user error and never takes the connection down.
 */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly errorLabels: string[];
  /** Extra reply fields, e.g. keyPattern/keyValue for DuplicateKey. */
  readonly extra: Document;

  constructor(code: number, message: string, options: { codeName?: string; errorLabels?: string[]; extra?: Document } = {}) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
    this.codeName = options.codeName ?? codeNames[code] ?? `Location${code}`;
    this.errorLabels = options.errorLabels ?? [];
    this.extra = options.extra ?? {};
  }

  toReply(): Document {
    const reply: Document = { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length > 0) reply.errorLabels = this.errorLabels;
    return reply;
  }
}

export function badValue(message: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.BadValue, message);
}

export function failedToParse(message: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.FailedToParse, message);
}
