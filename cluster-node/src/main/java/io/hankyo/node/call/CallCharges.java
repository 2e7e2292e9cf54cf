package io.hankyo.node.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.NumberKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Computes {@code call_charge} (通話料, yen) from talk seconds with a tariff that is data, not code (spec section 7:
 * "an operator must be able to load its own"). The default tariff is the reference price list, loaded from the class
 * path resource {@code tariffs/default.json}.
 *
 * <p>A tariff is a list of rates; the first rate whose range ({@code free_call} for 0120/0800 tracking numbers,
 * {@code other} for 050 and the rest), caller device set and destination device set match is used. The charge is
 * {@code ceil(talking_sec / unit_sec) * yen_per_unit}; 0 when the call never connected.
 */
public final class CallCharges {

  /**
   * One row of a tariff.
   *
   * @param range {@code free_call} or {@code other}
   * @param callers caller device types (enum names of {@link DeviceType}) the row applies to
   * @param destinations destination device types the row applies to
   * @param unitSec length of a charged unit in seconds (60 = per minute, 180 = per 3 minutes)
   * @param yenPerUnit yen per started unit
   */
  public record Rate(
      @JsonProperty("range") String range,
      @JsonProperty("callers") List<DeviceType> callers,
      @JsonProperty("destinations") List<DeviceType> destinations,
      @JsonProperty("unit_sec") int unitSec,
      @JsonProperty("yen_per_unit") long yenPerUnit) {
    public Rate {
      Objects.requireNonNull(range, "range");
      callers = List.copyOf(callers);
      destinations = List.copyOf(destinations);
      if (unitSec <= 0 || yenPerUnit < 0) {
        throw new IllegalArgumentException("unit_sec must be > 0 and yen_per_unit >= 0");
      }
    }
  }

  /** A tariff: an ordered list of rates. */
  public record Tariff(@JsonProperty("rates") List<Rate> rates) {
    public Tariff {
      rates = List.copyOf(rates);
    }
  }

  private final Tariff tariff;

  public CallCharges(Tariff tariff) {
    this.tariff = Objects.requireNonNull(tariff, "tariff");
  }

  /** The reference price list of spec section 7. */
  public static CallCharges defaults() {
    try (InputStream in = CallCharges.class.getResourceAsStream("/tariffs/default.json")) {
      if (in == null) {
        throw new IllegalStateException("tariffs/default.json is missing from the class path");
      }
      return new CallCharges(new ObjectMapper().readValue(in, Tariff.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tariffs/default.json", e);
    }
  }

  /**
   * The charge in yen.
   *
   * @param trackingNumberKind kind of the tracking number dialled (FREE_CALL selects the free-call column)
   * @param caller caller device ({@code clr_type})
   * @param destination destination device ({@code fwd_type}); null when never forwarded
   * @param talkingSec talk seconds, ≥ 0
   * @return yen, 0 when no talk or no rate matches
   */
  public long charge(NumberKind trackingNumberKind, DeviceType caller, DeviceType destination, long talkingSec) {
    if (talkingSec <= 0 || destination == null) {
      return 0;
    }
    String range = trackingNumberKind == NumberKind.FREE_CALL ? "free_call" : "other";
    DeviceType dest = destination == DeviceType.MOBILE ? DeviceType.MOBILE : DeviceType.FIXED;
    for (Rate r : tariff.rates()) {
      if (r.range().equals(range) && r.callers().contains(caller) && r.destinations().contains(dest)) {
        long units = (talkingSec + r.unitSec() - 1) / r.unitSec();
        return units * r.yenPerUnit();
      }
    }
    return 0;
  }
}
