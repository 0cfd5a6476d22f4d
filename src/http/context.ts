import type { Logger } from 'pino';
import type { Principal } from '../teams/model.ts';

/** Per-request values set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    /** The client's address (through trusted proxies), when the request came over a socket. */
    clientIp: string | undefined;
    logger: Logger;
  };
}
