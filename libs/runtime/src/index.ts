/**
 * What both apps start from: the configuration (the only reader of the environment), the store
 * and read models it names, the API keys file, the checkpoint signing key, the application module
 * wired to them, and the notice import that records through the command path.
 */
export * from './config/earmark-config';
export * from './config/flag-thresholds';
export * from './bootstrap/infrastructure';
export * from './bootstrap/ledger-module';
export * from './bootstrap/keys';
export * from './bootstrap/signing-key';
export * from './bootstrap/notice-importer';
export * from './auth/api-keys';
export * from './audit/ledger-audit';
