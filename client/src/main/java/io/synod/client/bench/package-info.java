/**
 * The load tool behind {@code ./synod bench}: drives a real cluster through the real protocol (the
 * broker's ROUTER for requests, the proxy's XPUB for publications) and reports what it measured.
 *
 * <p>Map: {@link io.synod.client.bench.BenchRun} runs one measurement: it creates the channels,
 * starts the {@code LoadDriver} threads (each owns the DEALER sockets of its share of the bench
 * clients, keeps {@code --in-flight} requests outstanding per client and times each request from
 * send to reply) and one {@code SubscriberLoop} thread (SUB sockets that count deliveries and check
 * every topic's {@code seq} with a {@link io.synod.client.bench.SeqChecker}); it samples the shared
 * {@link io.synod.client.bench.BenchMeter} once per second. {@link io.synod.client.bench.BenchResult}
 * holds the summary and the per-second series; {@link io.synod.client.bench.BenchReport} writes
 * {@code result.json}, the SVG plots ({@link io.synod.client.bench.SvgChart}) and the summary text.
 *
 * <p>Pure pieces, unit-tested: {@link io.synod.client.bench.BenchDurations},
 * {@link io.synod.client.bench.LatencySummary}, {@link io.synod.client.bench.SeqChecker},
 * {@link io.synod.client.bench.SvgChart}, the JSON of {@link io.synod.client.bench.BenchReport}.
 */
package io.synod.client.bench;
