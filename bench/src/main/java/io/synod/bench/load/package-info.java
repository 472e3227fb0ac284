/**
 * The load tool behind {@code ./synod bench}: drives a real cluster through the real protocol (the
 * broker's ROUTER for requests, the proxy's XPUB for publications) and reports what it measured.
 *
 * <p>Map: {@link io.synod.bench.load.BenchRun} runs one measurement: it creates the channels,
 * starts the {@code LoadDriver} threads (each owns the DEALER sockets of its share of the bench
 * clients, keeps {@code --in-flight} requests outstanding per client and times each request from
 * send to reply) and one {@code SubscriberLoop} thread (SUB sockets that count deliveries and check
 * every topic's {@code seq} with a {@link io.synod.bench.load.SeqChecker}); it samples the shared
 * {@link io.synod.bench.load.BenchMeter} once per second. {@link io.synod.bench.load.BenchResult}
 * holds the summary and the per-second series; {@link io.synod.bench.load.BenchReport} writes
 * {@code result.json}, the SVG plots ({@link io.synod.bench.load.SvgChart}) and the summary text.
 *
 * <p>Pure pieces, unit-tested: {@link io.synod.bench.load.BenchDurations},
 * {@link io.synod.bench.load.LatencySummary}, {@link io.synod.bench.load.SeqChecker},
 * {@link io.synod.bench.load.SvgChart}, the JSON of {@link io.synod.bench.load.BenchReport}.
 */
package io.synod.bench.load;
