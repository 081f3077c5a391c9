package dev.wharf.dataplane.ratelimit;

/**
 * What one request holds in connection zones, released once when it ends; or the refusal of a
 * request that got none. Used on the request's event loop only.
 */
public final class ConnectionLeases {
  /** Nothing held, nothing refused. */
  public static final ConnectionLeases NONE = new ConnectionLeases(0);

  private final ConnectionZone[] zones;
  private final String[] keys;
  private int count;
  private int refusedStatus;

  ConnectionLeases(int capacity) {
    this.zones = new ConnectionZone[capacity];
    this.keys = new String[capacity];
  }

  static ConnectionLeases refused(int status) {
    ConnectionLeases refused = new ConnectionLeases(0);
    refused.refusedStatus = status;
    return refused;
  }

  void add(ConnectionZone zone, String key) {
    zones[count] = zone;
    keys[count] = key;
    count++;
  }

  /** The status to refuse the request with, 0 when it got its leases. */
  public int refusedStatus() {
    return refusedStatus;
  }

  /** Gives back every lease; a second call does nothing. */
  public void release() {
    for (int i = 0; i < count; i++) {
      zones[i].release(keys[i]);
      zones[i] = null;
      keys[i] = null;
    }
    count = 0;
  }
}
