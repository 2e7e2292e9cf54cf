package io.hankyo.node.pool;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.HashMap;

/**
 * The holders of a {@link NumberPool}'s numbers (E.164 → {@link NumberPool.Slot}) as an immutable {@link Map} backed by
 * Scala's persistent hash map (scala-library, already on the classpath through Pekko), so that an assignment adds its
 * slot in O(log n) without copying the other ≤ 1000 slots (issue 5 pool benchmark: the copies of the whole slot map,
 * several per assignment, were the entity's main CPU cost). Mutators throw {@link UnsupportedOperationException};
 * {@link #with} gives a new map. Serialized by Jackson like any map (a JSON object).
 */
public final class PoolSlots extends AbstractMap<String, NumberPool.Slot> {
  /** No slot. */
  public static final PoolSlots EMPTY = new PoolSlots(emptyMap());

  private final HashMap<String, NumberPool.Slot> slots;

  private static HashMap<String, NumberPool.Slot> emptyMap() {
    return scala.collection.immutable.HashMap$.MODULE$.<String, NumberPool.Slot>empty();
  }

  private PoolSlots(HashMap<String, NumberPool.Slot> slots) {
    this.slots = slots;
  }

  /** {@code m} itself when it is a {@code PoolSlots}, else an immutable copy. */
  public static PoolSlots of(Map<String, NumberPool.Slot> m) {
    if (m instanceof PoolSlots p) {
      return p;
    }
    HashMap<String, NumberPool.Slot> out = emptyMap();
    for (Map.Entry<String, NumberPool.Slot> e : m.entrySet()) {
      out = out.updated(e.getKey(), e.getValue());
    }
    return new PoolSlots(out);
  }

  /** A new map with {@code e164} held by {@code slot}; this one is unchanged. */
  public PoolSlots with(String e164, NumberPool.Slot slot) {
    return new PoolSlots(slots.updated(e164, slot));
  }

  @Override
  public NumberPool.Slot get(Object key) {
    if (!(key instanceof String k)) {
      return null;
    }
    Option<NumberPool.Slot> o = slots.get(k);
    return o.isDefined() ? o.get() : null;
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String k && slots.contains(k);
  }

  @Override
  public int size() {
    return slots.size();
  }

  @Override
  public Set<Entry<String, NumberPool.Slot>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, NumberPool.Slot>> iterator() {
        scala.collection.Iterator<Tuple2<String, NumberPool.Slot>> it = slots.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<String, NumberPool.Slot> next() {
            Tuple2<String, NumberPool.Slot> t = it.next();
            return new SimpleImmutableEntry<>(t._1(), t._2());
          }
        };
      }

      @Override
      public int size() {
        return slots.size();
      }
    };
  }
}
