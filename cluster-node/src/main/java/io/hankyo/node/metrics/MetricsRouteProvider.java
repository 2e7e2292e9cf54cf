package io.hankyo.node.metrics;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the Pekko Management HTTP endpoint (127.0.0.1:8558 by default): the node's meters in the
 * Prometheus text exposition format 0.0.4. Registered in application.conf under
 * {@code pekko.management.http.routes.hankyo-metrics}; read-only.
 */
public final class MetricsRouteProvider implements ManagementRouteProvider {
  private static final ContentType.NonBinary PROMETHEUS_TEXT = (ContentType.NonBinary)
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final ExtendedActorSystem system;

  /** Created by Pekko Management by class name. */
  public MetricsRouteProvider(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return Directives.path("metrics", () -> Directives.get(() -> Directives.complete(
        HttpEntities.create(PROMETHEUS_TEXT, NodeMetrics.ID.get(system).registry().scrape()))));
  }
}
