package io.hankyo.node.pool;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import scala.Function0;
import scala.Tuple2;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.TreeSet;

/**
 * The holders of a {@link NumberPool}'s numbers (E.164 → {@link NumberPool.Slot}) as an immutable {@link Map} backed by
 * Scala's persistent hash map (scala-library, already on the classpath through Pekko), so that an assignment adds its
 * slot in O(log n) without copying the other ≤ 1000 slots (issue 5 pool benchmark: the copies of the whole slot map,
 * several per assignment, were the entity's main CPU cost). Mutators throw {@link UnsupportedOperationException};
 * {@link #with} gives a new map. Serialized by Jackson like any map (a JSON object): only the slots.
 *
 * <p>Slots made for a pool ({@link #of(Map, NumberPool.Settings)}) also carry a derived index, never serialized and
 * rebuilt from the slots when a snapshot is read, updated by {@link #with} in O(log n) (issue 5 speed target: the
 * assignment decision and the peak-of-holds count used to scan every number, twice per assignment):
 *
 * <ul>
 *   <li>the smallest pool position of a number never handed out ({@link #firstUnused()});
 *   <li>the handed-out numbers ordered by ({@code held_until}, pool position) ({@link #earliestRelease()}, and
 *       {@link #heldAt(Instant)}: how many holds end after an instant);
 *   <li>for {@code dynamic} pools, session id → pool positions of the numbers whose current holder it is
 *       ({@link #heldBy(String, Instant)}); a holder that loses a number to another session drops out.
 * </ul>
 *
 * <p>Positions are those of {@link NumberPool.Settings#numbers()} (a number listed twice: its first position), computed
 * once per pool. Slots of numbers outside the pool (which {@link PoolAssigner} never makes) are kept and counted by
 * {@link #heldAt} but never chosen.
 */
public final class PoolSlots extends AbstractMap<String, NumberPool.Slot> {
  /** No slot, no index. */
  public static final PoolSlots EMPTY = new PoolSlots(emptyMap(), null);

  /** Default of the allocation-free look-ups ({@code getOrElse} instead of {@code get}, which allocates a Some). */
  private static final Function0<Object> NONE = () -> null;

  private final HashMap<String, NumberPool.Slot> slots;
  /** Null: slots not made for a pool (no index). */
  private final Index index;

  /**
   * One handed-out number in release order.
   *
   * @param heldUntil end of its hold
   * @param position its position in the pool
   */
  record Release(Instant heldUntil, int position) {}

  private static final scala.math.Ordering<Release> RELEASE_ORDER = scala.math.Ordering$.MODULE$.comparatorToOrdering(
      Comparator.comparing(Release::heldUntil).thenComparingInt(Release::position));

  /** What stays the same for every state of one pool: its numbers and their positions. */
  private static final class Pool {
    final List<String> numbers;
    final java.util.HashMap<String, Integer> positions;
    final boolean bySession;

    Pool(NumberPool.Settings settings) {
      this.numbers = settings.numbers();
      this.positions = new java.util.HashMap<>(numbers.size() * 2);
      for (int i = 0; i < numbers.size(); i++) {
        positions.putIfAbsent(numbers.get(i), i);
      }
      this.bySession = settings.method() == NumberPool.Method.DYNAMIC;
    }
  }

  /**
   * The derived index (see the class comment).
   *
   * @param firstUnused smallest position whose number has no slot; {@code numbers.size()} when all have one
   * @param byRelease the pool's numbers with a slot by ({@code held_until}, position)
   * @param sessions session id → ascending positions it is the current holder of ({@code dynamic} pools; else empty)
   * @param foreign hold ends of slots of numbers outside the pool (normally none)
   */
  private record Index(Pool pool, int firstUnused, TreeSet<Release> byRelease, HashMap<String, int[]> sessions,
      Instant[] foreign) {}

  private static <V> HashMap<String, V> emptyMap() {
    return scala.collection.immutable.HashMap$.MODULE$.<String, V>empty();
  }

  private PoolSlots(HashMap<String, NumberPool.Slot> slots, Index index) {
    this.slots = slots;
    this.index = index;
  }

  /** {@code m} itself when it is a {@code PoolSlots}, else an immutable copy; without an index. */
  public static PoolSlots of(Map<String, NumberPool.Slot> m) {
    if (m instanceof PoolSlots p) {
      return p;
    }
    return new PoolSlots(copy(m), null);
  }

  /**
   * The slots {@code m} of the pool with {@code settings}, indexed: {@code m} itself when it already is indexed for
   * the same numbers list and method (every assignment), else a copy with the index built in O(n log n) (creation,
   * snapshot load). {@code settings} null (pool not created): {@link #of(Map)}.
   */
  public static PoolSlots of(Map<String, NumberPool.Slot> m, NumberPool.Settings settings) {
    if (settings == null) {
      return of(m);
    }
    if (m instanceof PoolSlots p && p.index != null && p.index.pool.numbers == settings.numbers()
        && p.index.pool.bySession == (settings.method() == NumberPool.Method.DYNAMIC)) {
      return p;
    }
    HashMap<String, NumberPool.Slot> slots = m instanceof PoolSlots p ? p.slots : copy(m);
    return new PoolSlots(slots, build(slots, new Pool(settings)));
  }

  private static HashMap<String, NumberPool.Slot> copy(Map<String, NumberPool.Slot> m) {
    HashMap<String, NumberPool.Slot> out = emptyMap();
    for (Map.Entry<String, NumberPool.Slot> e : m.entrySet()) {
      out = out.updated(e.getKey(), e.getValue());
    }
    return out;
  }

  private static Index build(HashMap<String, NumberPool.Slot> slots, Pool pool) {
    TreeSet<Release> byRelease = scala.collection.immutable.TreeSet$.MODULE$.empty(RELEASE_ORDER);
    HashMap<String, int[]> sessions = emptyMap();
    List<Instant> foreign = new ArrayList<>();
    scala.collection.Iterator<Tuple2<String, NumberPool.Slot>> it = slots.iterator();
    while (it.hasNext()) {
      Tuple2<String, NumberPool.Slot> t = it.next();
      Integer position = pool.positions.get(t._1());
      if (position == null) {
        foreign.add(t._2().heldUntil());
        continue;
      }
      byRelease = byRelease.incl(new Release(t._2().heldUntil(), position));
      if (pool.bySession) {
        sessions = withSession(sessions, t._2().sessionId(), position);
      }
    }
    return new Index(pool, unusedFrom(slots, pool, 0), byRelease, sessions, foreign.toArray(new Instant[0]));
  }

  /** The smallest position ≥ {@code from} whose number has no slot in {@code slots}. */
  private static int unusedFrom(HashMap<String, NumberPool.Slot> slots, Pool pool, int from) {
    int i = from;
    while (i < pool.numbers.size() && slots.contains(pool.numbers.get(i))) {
      i++;
    }
    return i;
  }

  /** A new map with {@code e164} held by {@code slot}, its index updated in O(log n); this one is unchanged. */
  public PoolSlots with(String e164, NumberPool.Slot slot) {
    HashMap<String, NumberPool.Slot> updated = slots.updated(e164, slot);
    if (index == null) {
      return new PoolSlots(updated, null);
    }
    Pool pool = index.pool;
    Integer p = pool.positions.get(e164);
    if (p == null) {
      return new PoolSlots(updated, build(updated, pool));
    }
    int position = p;
    NumberPool.Slot before = get(e164);
    TreeSet<Release> byRelease = index.byRelease;
    HashMap<String, int[]> sessions = index.sessions;
    boolean sameHolder = before != null && Objects.equals(before.sessionId(), slot.sessionId());
    if (before != null) {
      byRelease = byRelease.excl(new Release(before.heldUntil(), position));
      if (pool.bySession && !sameHolder) {
        sessions = withoutSession(sessions, before.sessionId(), position);
      }
    }
    byRelease = byRelease.incl(new Release(slot.heldUntil(), position));
    if (pool.bySession && !sameHolder) {
      sessions = withSession(sessions, slot.sessionId(), position);
    }
    int firstUnused = position == index.firstUnused ? unusedFrom(updated, pool, position + 1) : index.firstUnused;
    return new PoolSlots(updated, new Index(pool, firstUnused, byRelease, sessions, index.foreign));
  }

  private static HashMap<String, int[]> withSession(HashMap<String, int[]> sessions, String sessionId, int position) {
    if (sessionId == null) {
      return sessions;
    }
    int[] held = lookup(sessions, sessionId);
    if (held == null) {
      return sessions.updated(sessionId, new int[] {position});
    }
    int at = 0;
    while (at < held.length && held[at] < position) {
      at++;
    }
    int[] out = new int[held.length + 1];
    System.arraycopy(held, 0, out, 0, at);
    out[at] = position;
    System.arraycopy(held, at, out, at + 1, held.length - at);
    return sessions.updated(sessionId, out);
  }

  private static HashMap<String, int[]> withoutSession(HashMap<String, int[]> sessions, String sessionId,
      int position) {
    int[] held = sessionId == null ? null : lookup(sessions, sessionId);
    if (held == null) {
      return sessions;
    }
    int at = java.util.Arrays.binarySearch(held, position);
    if (at < 0) {
      return sessions;
    }
    if (held.length == 1) {
      return sessions.removed(sessionId);
    }
    int[] out = new int[held.length - 1];
    System.arraycopy(held, 0, out, 0, at);
    System.arraycopy(held, at + 1, out, at, held.length - at - 1);
    return sessions.updated(sessionId, out);
  }

  @SuppressWarnings("unchecked")
  private static <V> V lookup(HashMap<String, V> m, String key) {
    return (V) m.getOrElse(key, (Function0<Object>) NONE);
  }

  /**
   * The position of the first number (pool order) whose current holder is {@code sessionId} and whose hold runs at
   * {@code now} ({@code now < held_until}), or -1. Only for slots indexed for a {@code dynamic} pool.
   *
   * @throws IllegalStateException for slots not indexed by session
   */
  public int heldBy(String sessionId, Instant now) {
    if (index == null || !index.pool.bySession) {
      throw new IllegalStateException("slots not indexed by session");
    }
    int[] held = sessionId == null ? null : lookup(index.sessions, sessionId);
    if (held == null) {
      return -1;
    }
    for (int position : held) {
      if (now.isBefore(get(index.pool.numbers.get(position)).heldUntil())) {
        return position;
      }
    }
    return -1;
  }

  /**
   * The smallest pool position of a number never handed out (no slot), or -1 when every number has one.
   *
   * @throws IllegalStateException for slots without an index
   */
  public int firstUnused() {
    Index i = indexed();
    return i.firstUnused < i.pool.numbers.size() ? i.firstUnused : -1;
  }

  /**
   * The pool position of the handed-out number whose hold ends first (ties: the first in pool order), or -1 when none
   * was handed out.
   *
   * @throws IllegalStateException for slots without an index
   */
  public int earliestRelease() {
    Index i = indexed();
    return i.byRelease.isEmpty() ? -1 : i.byRelease.head().position();
  }

  /**
   * How many slots are held at {@code at} (their hold ends after it): O(log n) with an index, else a scan.
   */
  public int heldAt(Instant at) {
    if (index == null) {
      int n = 0;
      for (NumberPool.Slot slot : values()) {
        if (slot.heldUntil().isAfter(at)) {
          n++;
        }
      }
      return n;
    }
    @SuppressWarnings("unchecked")
    TreeSet<Release> later = (TreeSet<Release>) index.byRelease.rangeFrom(new Release(at, Integer.MAX_VALUE));
    int n = later.size();
    for (Instant until : index.foreign) {
      if (until.isAfter(at)) {
        n++;
      }
    }
    return n;
  }

  private Index indexed() {
    if (index == null) {
      throw new IllegalStateException("slots without a pool index");
    }
    return index;
  }

  /** The slot of {@code key} or null, without allocating. */
  @Override
  public NumberPool.Slot get(Object key) {
    if (!(key instanceof String k)) {
      return null;
    }
    return lookup(slots, k);
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
