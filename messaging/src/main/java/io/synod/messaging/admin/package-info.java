/**
 * The admin HTTP endpoint every Synod process serves ({@code /health}, {@code /status}, {@code /metrics}), its
 * options ({@code --admin-bind}, {@code --admin-host}, {@code --admin-port}, {@code --admin-key}) and the admin key
 * that guards what an operator may change. One copy for the server, the broker, the proxy, the reference and the web
 * process (docs/operations in ARCHITECTURE.md, "Observability").
 */
package io.synod.messaging.admin;
