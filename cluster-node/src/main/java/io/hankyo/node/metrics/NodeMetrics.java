package io.hankyo.node.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The node's Micrometer registry (one per actor system), scraped in the Prometheus text format at
 * {@code GET /metrics} on the Pekko Management port (see {@link MetricsRouteProvider}). JVM memory, GC, thread and
 * CPU meters are bound at creation; the node binds its own (SIP gateway counters, live calls) at start.
 */
public final class NodeMetrics extends AbstractExtensionId<NodeMetrics.Registry> implements ExtensionIdProvider {
  /** The extension id. */
  public static final NodeMetrics ID = new NodeMetrics();

  private NodeMetrics() {}

  @Override
  public NodeMetrics lookup() {
    return ID;
  }

  @Override
  public Registry createExtension(ExtendedActorSystem system) {
    return new Registry();
  }

  /** The registry of one actor system. */
  public static final class Registry implements Extension {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    Registry() {
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
    }

    /** The Micrometer registry to bind meters to. */
    public PrometheusMeterRegistry registry() {
      return registry;
    }
  }
}
