/**
 * Credentials for a job (IBackgroundCopyJob2 SetCredentials), validated and
 * held so that the secret cannot leak: a {@linkcode SecretCredentials}
 * keeps the user name and password in private fields, prints and
 * serialises as `[redacted]`, and is encoded into UTF-16 only for the one
 * native call, after which both the shim and this module zero the buffers.
 *
 * @module
 */

import { InvalidArgumentError } from "./errors.ts";
import { AUTH_SCHEMES, AUTH_TARGETS, type AuthScheme, type AuthTarget, encodeKey } from "./properties/names.ts";
import { encodeUtf16 } from "./utf16.ts";
import { checkSecretString, MAX_PASSWORD, MAX_USER_NAME } from "./validate.ts";

/** Credentials for one target and scheme (BG_AUTH_CREDENTIALS). */
export interface Credentials {
  /** Who asks for them: the server or a proxy. */
  readonly target: AuthTarget;
  /** The authentication scheme they are for. */
  readonly scheme: AuthScheme;
  /**
   * User name, at most 300 characters. Omitted or `""` is passed as NULL:
   * for NTLM and NEGOTIATE BITS then uses the logged-on user's credentials.
   */
  readonly userName?: string;
  /** Password, at most 65,535 characters. Omitted or `""` is passed as NULL. */
  readonly password?: string;
}

/** A UTF-16 buffer pair for one native call; zero it with {@linkcode EncodedSecret.wipe} afterwards. */
export interface EncodedSecret {
  /** BG_AUTH_TARGET. */
  readonly target: number;
  /** BG_AUTH_SCHEME. */
  readonly scheme: number;
  /** User name, NUL-terminated. */
  readonly userName: Uint16Array;
  /** Its length, NUL excluded. */
  readonly userNameLength: number;
  /** Password, NUL-terminated. */
  readonly password: Uint16Array;
  /** Its length, NUL excluded. */
  readonly passwordLength: number;
  /** Zeroes both buffers. */
  wipe(): void;
}

const REDACTED = "[redacted]";

// Outside the objects, so no enumeration, inspection or serialisation of a SecretCredentials can reach them.
const secrets = new WeakMap<SecretCredentials, { readonly userName: string; readonly password: string }>();

/**
 * Validated credentials whose strings never show: `JSON.stringify`,
 * `String()` and `Deno.inspect` give `[redacted]` for the secret parts.
 */
export class SecretCredentials {
  /** Who asks for them. */
  readonly target: AuthTarget;
  /** The scheme. */
  readonly scheme: AuthScheme;

  private constructor(target: AuthTarget, scheme: AuthScheme, userName: string, password: string) {
    this.target = target;
    this.scheme = scheme;
    secrets.set(this, { userName, password });
  }

  /**
   * Validates `credentials` (`argument` names them in errors, which never
   * contain the user name or password).
   */
  static from(credentials: unknown, argument = "credentials"): SecretCredentials {
    if (credentials instanceof SecretCredentials) return credentials;
    if (typeof credentials !== "object" || credentials === null) {
      throw new InvalidArgumentError(argument, `${argument} must be an object with target, scheme, userName, password`);
    }
    const c = credentials as Record<string, unknown>;
    const target = checkTarget(c.target, `${argument}.target`);
    const scheme = checkScheme(c.scheme, `${argument}.scheme`);
    const userName = checkSecretString(c.userName ?? "", MAX_USER_NAME, `${argument}.userName`);
    const password = checkSecretString(c.password ?? "", MAX_PASSWORD, `${argument}.password`);
    return new SecretCredentials(target, scheme, userName, password);
  }

  /** What JSON.stringify shows: target and scheme only. */
  toJSON(): Record<string, string> {
    return { target: this.target, scheme: this.scheme, userName: REDACTED, password: REDACTED };
  }

  /** Never the secrets. */
  toString(): string {
    return `Credentials(${this.target} ${this.scheme}, ${REDACTED})`;
  }

  /** What `Deno.inspect` and `console.log` show. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/** Checks an authentication target name. */
export function checkTarget(value: unknown, argument = "target"): AuthTarget {
  encodeKey(AUTH_TARGETS, value, argument);
  return value as AuthTarget;
}

/** Checks an authentication scheme name. */
export function checkScheme(value: unknown, argument = "scheme"): AuthScheme {
  encodeKey(AUTH_SCHEMES, value, argument);
  return value as AuthScheme;
}

/** @internal UTF-16 copies of the secrets for one native call; `wipe()` them right after. */
export function encodeCredentials(credentials: SecretCredentials): EncodedSecret {
  const secret = secrets.get(credentials);
  if (secret === undefined) throw new TypeError("Not a SecretCredentials");
  const user = encodeUtf16(secret.userName);
  const password = encodeUtf16(secret.password);
  return {
    target: AUTH_TARGETS[credentials.target],
    scheme: AUTH_SCHEMES[credentials.scheme],
    userName: user.buffer,
    userNameLength: user.length,
    password: password.buffer,
    passwordLength: password.length,
    wipe(): void {
      user.buffer.fill(0);
      password.buffer.fill(0);
    },
  };
}
