/**
 * The CC7261 wire protocol as pure Java values: every frame is decoded here, against
 * {@link io.synod.protocol.Limits}, before anything else sees it.
 *
 * <ul>
 *   <li>{@link io.synod.protocol.MsgPack}: strict, bounded MessagePack to a small value model.
 *   <li>{@link io.synod.protocol.Envelope}: the {@code {"service", "data"}} map every message is.
 *   <li>{@link io.synod.protocol.Request} and {@link io.synod.protocol.Requests}: one record per
 *       service, parsed with clear errors ({@link io.synod.protocol.ProtocolException}).
 *   <li>{@link io.synod.protocol.Replies}: replies with the statement's exact fields and status
 *       words.
 *   <li>{@link io.synod.protocol.Publication}: what servers publish on the proxy.
 * </ul>
 *
 * <p>Pure: no I/O, no clock, no threads. All classes are immutable or stateless, so thread-safe.
 */
package io.synod.protocol;
