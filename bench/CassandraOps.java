import ch.qos.logback.classic.Level;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.net.InetSocketAddress;
import org.slf4j.LoggerFactory;

/**
 * Prints how many reads and writes Cassandra has coordinated per table since it started, from Cassandra 5's virtual
 * tables {@code system_views.coordinator_read_latency} / {@code coordinator_write_latency} /
 * {@code coordinator_scan_latency}: one line {@code <kind> <keyspace>.<table> <count>} per table with a non-zero
 * count, system keyspaces left out. bench/sip-load.sh takes it before and after each rate to report Cassandra
 * operations per call.
 *
 * <p>Run as a single-file source program on the node's classpath:
 * {@code java -cp "cluster-node/target/lib/*" bench/CassandraOps.java <cql-port>}.
 */
public class CassandraOps {
  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    int port = Integer.parseInt(args[0]);
    try (CqlSession s = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", port))
        .withLocalDatacenter("datacenter1")
        .build()) {
      for (String kind : new String[] {"read", "write", "scan"}) {
        for (Row r : s.execute("SELECT keyspace_name, table_name, count FROM system_views.coordinator_" + kind
            + "_latency")) {
          String ks = r.getString("keyspace_name");
          long n = r.getLong("count");
          if (n > 0 && !ks.startsWith("system")) {
            System.out.println(kind + " " + ks + "." + r.getString("table_name") + " " + n);
          }
        }
      }
    }
  }
}
