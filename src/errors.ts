/**
 * Errors the user can act on. Anything thrown that is not an IpcomposeError is
 * a bug and gets its stack printed by the top-level handler in cli.ts.
 */
export class IpcomposeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad compose files, bad declarations, bad flags: exit status 2. */
export class UserError extends IpcomposeError {
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
  }
}

/** No engine, no permission, a missing or too old tool: exit status 3. */
export class EnvironmentError extends IpcomposeError {
  constructor(message: string, hint?: string) {
    super(message, 3, hint);
  }
}
