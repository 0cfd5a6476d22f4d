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
    [{ AUDITLOG_AUTH_MAX_FAILURES: '0' }, 'AUDITLOG_AUTH_MAX_FAILURES'],
    [{ AUDITLOG_TRUSTED_PROXIES: '10.0.0.0/33' }, 'AUDITLOG_TRUSTED_PROXIES'],
    [{ AUDITLOG_TRUSTED_PROXIES: 'proxy.example.com' }, 'AUDITLOG_TRUSTED_PROXIES'],
    [{ AUDITLOG_QUERY_TIMEOUT_MS: '0' }, 'AUDITLOG_QUERY_TIMEOUT_MS'],
    [{ AUDITLOG_QUERY_TIMEOUT_MS: 'soon' }, 'AUDITLOG_QUERY_TIMEOUT_MS'],
    [{ AUDITLOG_READ_WORKERS: '0' }, 'AUDITLOG_READ_WORKERS'],
  ])('rejects %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });

  it('reads address ranges as CIDRs, a bare address as a range of one', () => {
    expect(loadConfig({ AUDITLOG_TRUSTED_PROXIES: '10.0.0.0/8, ::1 192.168.1.7' }).AUDITLOG_TRUSTED_PROXIES).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: '::1', prefix: 128, family: 'ipv6' },
      { address: '192.168.1.7', prefix: 32, family: 'ipv4' },
    ]);
    expect(loadConfig({}).AUDITLOG_TRUSTED_PROXIES).toEqual([]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ AUDITLOG_PORT: '' }).AUDITLOG_PORT).toBe(8080);
  });
});
