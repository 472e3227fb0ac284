/**
 * The web process ({@code ./synod web}): a Synod client on one side (one {@code SynodClient} per
 * browser session), an HTTP API, a WebSocket of live deliveries and the browser app (plain ES
 * modules served from this jar) on the other; plus the cluster dashboard's poller of the
 * servers' admin {@code /status}. It keeps no state but its sessions, so several may run side by
 * side. The API is documented in docs/protocol.md, section "Web API".
 */
package io.synod.web;
