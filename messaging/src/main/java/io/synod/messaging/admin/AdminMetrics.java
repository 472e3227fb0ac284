package io.synod.messaging.admin;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A process's metrics registry for {@code /metrics}: Prometheus format, every series tagged with which process it is
 * ({@code server="server-1"}, {@code process="broker"}...), and the JVM's figures (memory, GC pauses, threads, classes, CPU, uptime) through Micrometer's binders.
 *
 * <p>Thread-safety: thread-safe (Micrometer registries are); {@link #close} once, from the owner.
 */
public final class AdminMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /**
     * @param tag the tag on every series: {@code server} for a server, {@code process} for the others
     * @param value its value: a server's {@code --name}; {@code broker}, {@code proxy}, {@code reference}, {@code web}
     */
    public AdminMetrics(String tag, String value) {
        registry.config().commonTags(tag, value);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
