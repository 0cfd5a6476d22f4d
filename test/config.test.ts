import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('config', () => {
  it('has defaults that start the embedded store', () => {
    const c = loadConfig({});
    expect(c.AUDITLOG_STORE).toBe('sqlite');
    expect(c.AUDITLOG_PORT).toBe(8080);
    expect(c.AUDITLOG_RETENTION_DAYS).toBe(90);
    expect(c.AUDITLOG_QUERY_TIMEOUT_MS).toBe(10_000);
    expect(c.AUDITLOG_READ_WORKERS).toBeUndefined();
  });

  it.each([
    [{ AUDITLOG_PORT: 'eighty' }, 'AUDITLOG_PORT'],
    [{ AUDITLOG_PORT: '70000' }, 'AUDITLOG_PORT'],
    [{ AUDITLOG_STORE: 'mongodb' }, 'AUDITLOG_STORE'],
    [{ AUDITLOG_STORE: 'elasticsearch' }, 'ES_URL'],
    [{ ES_URL: 'not a url' }, 'ES_URL'],
    [{ AUDITLOG_OPERATOR_KEY: 'short' }, 'AUDITLOG_OPERATOR_KEY'],
    [{ AUDITLOG_RETENTION_DAYS: '0' }, 'AUDITLOG_RETENTION_DAYS'],
    [{ AUDITLOG_QUERY_TIMEOUT_MS: '0' }, 'AUDITLOG_QUERY_TIMEOUT_MS'],
    [{ AUDITLOG_QUERY_TIMEOUT_MS: 'soon' }, 'AUDITLOG_QUERY_TIMEOUT_MS'],
    [{ AUDITLOG_READ_WORKERS: '0' }, 'AUDITLOG_READ_WORKERS'],
  ])('rejects %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ AUDITLOG_PORT: '' }).AUDITLOG_PORT).toBe(8080);
  });
});
