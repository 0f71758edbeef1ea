/** The user set up when neither `users` nor `config` is given. */
export declare const DEFAULT_USERNAME: 'alice';
/** Its password. */
export declare const DEFAULT_PASSWORD: 'Passw0rd!';

/** A user as a config file's `[[users]]` spells it. */
export interface User {
  username: string;
  /** Default: `Passw0rd!`. */
  password?: string;
  /** The password is temporary: the first sign-in must choose a new one (NEW_PASSWORD_REQUIRED). */
  temporary?: boolean;
  /** `false`: UNCONFIRMED, as after SignUp. */
  confirmed?: boolean;
  enabled?: boolean;
  sms_mfa?: boolean;
  /** Base32: a TOTP authenticator with this secret. */
  totp_secret?: string;
  groups?: string[];
  /** Default: a verified `NAME@example.com`. */
  attributes?: Record<string, string>;
}

export interface StartOptions {
  /** A config file: TOML, or JSON when its name ends in `.json`. */
  config?: string;
  /** Not together with `config`. Default: `['alice']`. */
  users?: Array<string | User>;
  mfa?: 'off' | 'optional' | 'required';
  deviceTracking?: 'off' | 'always' | 'user-opt-in';
  /** Gives every app client a secret. */
  clientSecret?: boolean;
  preventUserExistenceErrors?: boolean;
  callbackUrls?: string[];
  /** Every code sent is this one. */
  fixedCode?: string;
  region?: string;
  /** Makes ids, codes and salts reproducible; random when not given (and the same across restarts). */
  seed?: string;
  /** The binary to run. Default: `binaryPath()`. */
  binary?: string;
}

export interface Client {
  name: string;
  clientId: string;
  clientSecret: string | null;
}

export interface Pool {
  name: string;
  poolId: string;
  issuer: string;
  jwksUri: string;
  clients: Client[];
  users: string[];
}

/** A message the emulator "sent". */
export interface Message {
  pool_id: string;
  username: string;
  medium: string;
  destination: string;
  purpose: string;
  code: string;
}

export interface OutboxQuery {
  username?: string;
  poolId?: string;
}

/** The binary's JSON line, as printed. */
export interface Info {
  endpoint: string;
  region: string;
  pool_id: string;
  client_id: string;
  client_secret: string | null;
  clients: Array<{ name: string; client_id: string; client_secret: string | null }>;
  users: string[];
  issuer: string;
  jwks_uri: string;
  pools: Array<Record<string, unknown>>;
}

/** One running cognito-emulator process. A reset or a restart keeps the endpoint and every id. */
export declare class Emulator {
  /** `http://127.0.0.1:PORT/`. */
  readonly endpoint: string;
  readonly region: string;
  /** The first pool's id, and its first app client's id and secret. */
  readonly poolId: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  /** The first pool's app clients and users. */
  readonly clients: Client[];
  readonly users: string[];
  readonly issuer: string;
  readonly jwksUri: string;
  /** Every pool of the set-up. */
  readonly pools: Pool[];
  readonly info: Info;
  /** The passwords of the users set up through `users`. */
  readonly passwords: Record<string, string>;
  readonly running: boolean;
  /** What the emulator wrote to stderr. */
  log(): string;
  outbox(query?: OutboxQuery): Promise<Message[]>;
  lastCode(username: string, query?: { poolId?: string }): Promise<string | null>;
  client(name: string): Client;
  /** Back to the state right after the start: `POST /_emulator/reset` when answered, else a restart. */
  reset(): Promise<'reset' | 'restart'>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export declare function start(options?: StartOptions): Promise<Emulator>;

/** What a test file in another process needs: the ids, the outbox and the codes. */
export declare function connect(info: Info): {
  info: Info;
  endpoint: string;
  region: string;
  poolId: string;
  clientId: string;
  clientSecret: string | null;
  outbox(query?: OutboxQuery): Promise<Message[]>;
  lastCode(username: string, query?: { poolId?: string }): Promise<string | null>;
};

export declare function binaryPath(): string;
export declare function platformPackage(platform?: string, arch?: string): string;
