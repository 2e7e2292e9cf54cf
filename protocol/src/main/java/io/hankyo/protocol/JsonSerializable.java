package io.hankyo.protocol;

/**
 * Marker for every message, event and state that Pekko serializes (remoting between nodes, the Cassandra journal
 * and snapshots). Bound to {@code jackson-json} in {@code serialization-bindings} of the node's configuration, so the
 * journal stays readable by analysts (plain JSON), and checked by EventSourcedBehaviorTestKit in tests.
 */
public interface JsonSerializable {}
