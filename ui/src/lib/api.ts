//! The one place the screens turn a command's `{status, data | error}` into a value or a thrown
//! `CommandFailure` carrying the shell's stable error `code`, so callers switch on codes and
//! show `rules.errorPhrase(code)`; never on English text.

export interface CommandErrorLike {
  code: string;
  message: string;
}

export type CommandResult<T> =
  { status: 'ok'; data: T } | { status: 'error'; error: CommandErrorLike };

export class CommandFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
  }
}

/** The command's data, or a `CommandFailure`; anything else thrown (a bug) becomes `unknown`. */
export async function call<T>(result: Promise<CommandResult<T>>): Promise<T> {
  let settled: CommandResult<T>;
  try {
    settled = await result;
  } catch (e) {
    throw new CommandFailure('unknown', e instanceof Error ? e.message : String(e));
  }
  if (settled.status === 'ok') return settled.data;
  throw new CommandFailure(settled.error.code, settled.error.message);
}

/** The error code of anything caught around `call`. */
export function failureCode(e: unknown): string {
  return e instanceof CommandFailure ? e.code : 'unknown';
}

/** The detail of anything caught around `call`, for the sign-in screen's catch-all message. */
export function failureDetail(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
